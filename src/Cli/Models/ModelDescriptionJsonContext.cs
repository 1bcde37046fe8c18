using System.Text.Json.Serialization;

namespace GradDiag.Cli.Models;

/// <summary>Source-generated JSON settings of <c>graddiag inspect --json</c>: camelCase names, indented.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
[JsonSerializable(typeof(ModelDescription))]
internal sealed partial class ModelDescriptionJsonContext : JsonSerializerContext;
