using System.Text.Json.Serialization;

namespace GradDiag.Detectors.Reporting;

/// <summary>The source-generated JSON contract of <see cref="RunReport"/>: camelCase names, NaN and infinities as strings.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    WriteIndented = true,
    NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    Converters = [typeof(FindingKindJsonConverter), typeof(SeverityJsonConverter), typeof(VerdictJsonConverter)])]
[JsonSerializable(typeof(RunReport))]
internal sealed partial class ReportJsonContext : JsonSerializerContext;
