namespace GradDiag.OrtBackend.Artifacts;

/// <summary>Why a floating-point initializer is not trained; the manifest writes the snake_case name.</summary>
internal enum FrozenReason
{
    /// <summary>Input 3 (mean) or 4 (variance) of a BatchNormalization node.</summary>
    RunningStatistic,

    /// <summary>The name matches a user pattern.</summary>
    NamePattern,

    /// <summary>No node of the forward graph reads it, so its gradient would always be zero.</summary>
    Unused,

    /// <summary>
    /// Every node that reads it reads it where the operator has no gradient, as Dropout's ratio. Training it would
    /// only let weight decay change it.
    /// </summary>
    NotDifferentiable,
}
