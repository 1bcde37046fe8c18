namespace GradDiag.Cli.Engines;

/// <summary>The loss attached to the model's output.</summary>
internal enum LossKind
{
    /// <summary>Softmax cross-entropy over class indices on axis 1, mean over the batch (<c>cross-entropy</c>).</summary>
    CrossEntropy,

    /// <summary>Mean squared error against float targets shaped like the output (<c>mse</c>).</summary>
    MeanSquaredError,
}
