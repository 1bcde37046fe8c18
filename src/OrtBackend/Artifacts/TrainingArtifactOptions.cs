using GradDiag.OrtBackend.Optimizers;

namespace GradDiag.OrtBackend.Artifacts;

/// <summary>Settings of <see cref="TrainingArtifactBuilder"/>.</summary>
public sealed record TrainingArtifactOptions
{
    /// <summary>Gets the optimizer of the optimizer model. Default AdamW with PyTorch's defaults.</summary>
    public OptimizerOptions Optimizer { get; init; } = new();

    /// <summary>
    /// Gets name patterns of initializers to freeze (kept constant and left out of the gradients). Running
    /// statistics of BatchNormalization are always frozen. Default none.
    /// </summary>
    public IReadOnlyList<string> FrozenParameterPatterns { get; init; } = [];

    /// <summary>Gets the syntax of <see cref="FrozenParameterPatterns"/>. Default glob.</summary>
    public ParameterPatternSyntax PatternSyntax { get; init; } = ParameterPatternSyntax.Glob;
}
