using System.Text.Json;
using System.Text.Json.Serialization;

namespace GradDiag.Detectors.Reporting;

/// <summary>Writes <see cref="Severity"/> as a camelCase string (<c>warning</c>) and reads it back.</summary>
internal sealed class SeverityJsonConverter() : JsonStringEnumConverter<Severity>(JsonNamingPolicy.CamelCase, allowIntegerValues: false);
