using System.Text.Json;
using System.Text.Json.Serialization;

namespace GradDiag.Detectors.Reporting;

/// <summary>Writes <see cref="Verdict"/> as a camelCase string (<c>failing</c>) and reads it back.</summary>
internal sealed class VerdictJsonConverter() : JsonStringEnumConverter<Verdict>(JsonNamingPolicy.CamelCase, allowIntegerValues: false);
