namespace GradDiag.Cli.Engines;

/// <summary>The optimizer that applies updates.</summary>
internal enum OptimizerKind
{
    /// <summary>Plain stochastic gradient descent (<c>sgd</c>).</summary>
    Sgd,

    /// <summary>SGD with a momentum buffer (<c>momentum</c>).</summary>
    Momentum,

    /// <summary>Adam (<c>adam</c>); weight decay is added to the gradient.</summary>
    Adam,

    /// <summary>AdamW (<c>adamw</c>); weight decay is applied to the weights directly.</summary>
    AdamW,
}
