namespace GradDiag.OrtBackend.Optimizers;

/// <summary>
/// Hyperparameters of the optimizer graph. The learning rate and the step number are graph inputs, so a
/// schedule changes them without rebuilding the graph.
/// </summary>
public sealed record OptimizerOptions
{
    /// <summary>Gets the update rule. Default <see cref="OptimizerKind.AdamW"/>.</summary>
    public OptimizerKind Kind { get; init; } = OptimizerKind.AdamW;

    /// <summary>Gets the momentum factor μ of SGD; 0 disables the momentum buffer. Default 0.</summary>
    public double Momentum { get; init; }

    /// <summary>Gets whether SGD uses Nesterov momentum (needs <see cref="Momentum"/> > 0). Default false.</summary>
    public bool Nesterov { get; init; }

    /// <summary>
    /// Gets the weight decay: an L2 term added to the gradient for SGD and Adam, and the decoupled factor
    /// for AdamW. Default 0.
    /// </summary>
    public double WeightDecay { get; init; }

    /// <summary>Gets the decay rate β1 of Adam's first moment. Default 0.9.</summary>
    public double Beta1 { get; init; } = 0.9;

    /// <summary>Gets the decay rate β2 of Adam's second moment. Default 0.999.</summary>
    public double Beta2 { get; init; } = 0.999;

    /// <summary>Gets Adam's ε, added to the bias-corrected root of the second moment. Default 1e-8.</summary>
    public double Epsilon { get; init; } = 1e-8;

    /// <summary>
    /// Gets the largest global L2 norm of the gradients before they are scaled down (PyTorch's
    /// clip_grad_norm_ with its 1e-6 guard), or null to leave gradients unclipped. Default null.
    /// </summary>
    public double? MaxGradientNorm { get; init; }

    /// <summary>Throws when a hyperparameter is outside its valid range; the message names the property.</summary>
    /// <exception cref="ArgumentException">A value is negative, not finite, or a β is not in [0, 1).</exception>
    public void Validate()
    {
        RequireFinite(Momentum, nameof(Momentum), min: 0);
        RequireFinite(WeightDecay, nameof(WeightDecay), min: 0);
        RequireFinite(Epsilon, nameof(Epsilon), min: 0);
        if (!(Beta1 >= 0 && Beta1 < 1))
        {
            throw new ArgumentException($"OptimizerOptions.Beta1 must be in [0, 1); found {Beta1}.");
        }

        if (!(Beta2 >= 0 && Beta2 < 1))
        {
            throw new ArgumentException($"OptimizerOptions.Beta2 must be in [0, 1); found {Beta2}.");
        }

        if (Nesterov && (Kind != OptimizerKind.Sgd || Momentum <= 0))
        {
            throw new ArgumentException($"OptimizerOptions.Nesterov needs Kind Sgd and Momentum > 0; found Kind {Kind} and Momentum {Momentum}.");
        }

        if (MaxGradientNorm is { } maxNorm && !(maxNorm > 0 && double.IsFinite(maxNorm)))
        {
            throw new ArgumentException($"OptimizerOptions.MaxGradientNorm must be a finite value > 0 or null; found {maxNorm}.");
        }
    }

    private static void RequireFinite(double value, string name, double min)
    {
        if (!double.IsFinite(value) || value < min)
        {
            throw new ArgumentException($"OptimizerOptions.{name} must be a finite value >= {min}; found {value}.");
        }
    }
}
