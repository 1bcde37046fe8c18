using System.Text.Json.Serialization;
using GradDiag.OrtBackend.Optimizers;

namespace GradDiag.OrtBackend.Artifacts;

/// <summary>
/// The manifest.json of a training-artifacts folder (schema version 1). The JSON uses snake_case property
/// names; docs/onnx-artifacts.md describes every field.
/// </summary>
internal sealed record ArtifactManifest
{
    /// <summary>The schema version this code writes and reads.</summary>
    public const int CurrentSchemaVersion = 1;

    public int SchemaVersion { get; init; }

    [JsonPropertyName("graddiag_version")]
    public string GradDiagVersion { get; init; } = string.Empty;

    public ManifestSourceModel SourceModel { get; init; } = new();

    public long IrVersion { get; init; }

    public long Opset { get; init; }

    public ManifestLoss Loss { get; init; } = new();

    public List<ManifestParameter> TrainableParameters { get; init; } = [];

    public List<ManifestParameter> FrozenParameters { get; init; } = [];

    public ManifestModels Models { get; init; } = new();

    public string CheckpointFile { get; init; } = string.Empty;

    public ManifestOptimizer Optimizer { get; init; } = new();
}

/// <summary>The source model's file name and the SHA-256 (lowercase hex) of its bytes.</summary>
internal sealed record ManifestSourceModel
{
    public string FileName { get; init; } = string.Empty;

    public string Sha256 { get; init; } = string.Empty;
}

/// <summary>The loss: its kind as the caller named it, the loss output, and the inputs the loss added.</summary>
internal sealed record ManifestLoss
{
    public string Kind { get; init; } = string.Empty;

    public string Output { get; init; } = string.Empty;

    public List<string> TargetInputs { get; init; } = [];
}

/// <summary>One parameter: name, shape, ONNX element type name and, for frozen ones, the reason.</summary>
internal sealed record ManifestParameter
{
    public string Name { get; init; } = string.Empty;

    public long[] Shape { get; init; } = [];

    public string ElementType { get; init; } = string.Empty;

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Reason { get; init; }
}

/// <summary>The four model files with their graph input and output names.</summary>
internal sealed record ManifestModels
{
    public ManifestModel Training { get; init; } = new();

    public ManifestModel Eval { get; init; } = new();

    public ManifestModel Optimizer { get; init; } = new();

    public ManifestModel Statistics { get; init; } = new();
}

/// <summary>One model file (relative to the artifacts folder) and its graph input and output names, in order.</summary>
internal sealed record ManifestModel
{
    public string File { get; init; } = string.Empty;

    public List<string> Inputs { get; init; } = [];

    public List<string> Outputs { get; init; } = [];
}

/// <summary>The optimizer kind (<c>sgd</c>, <c>adam</c> or <c>adamw</c>) and its hyperparameters.</summary>
internal sealed record ManifestOptimizer
{
    public string Kind { get; init; } = string.Empty;

    public double Momentum { get; init; }

    public bool Nesterov { get; init; }

    public double WeightDecay { get; init; }

    public double Beta1 { get; init; }

    public double Beta2 { get; init; }

    public double Epsilon { get; init; }

    public double? MaxGradientNorm { get; init; }

    public List<string> StateSuffixes { get; init; } = [];

    /// <summary>Returns the hyperparameters as options, the inverse of the builder's description.</summary>
    /// <exception cref="ArtifactException">The kind is unknown or a value is out of range.</exception>
    public OptimizerOptions ToOptions(string directory)
    {
        if (!Enum.TryParse<OptimizerKind>(Kind, ignoreCase: true, out var kind) || !Enum.IsDefined(kind))
        {
            throw new ArtifactException($"The manifest in '{directory}' names an unknown optimizer '{Kind}'. Expected sgd, adam or adamw.");
        }

        var options = new OptimizerOptions
        {
            Kind = kind,
            Momentum = Momentum,
            Nesterov = Nesterov,
            WeightDecay = WeightDecay,
            Beta1 = Beta1,
            Beta2 = Beta2,
            Epsilon = Epsilon,
            MaxGradientNorm = MaxGradientNorm,
        };
        try
        {
            options.Validate();
        }
        catch (ArgumentException exception)
        {
            throw new ArtifactException($"The manifest in '{directory}' records invalid optimizer settings: {exception.Message}", exception);
        }

        return options;
    }
}
