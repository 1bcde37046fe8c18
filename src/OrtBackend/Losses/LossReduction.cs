namespace GradDiag.OrtBackend.Losses;

/// <summary>How per-element losses are combined into the scalar loss.</summary>
public enum LossReduction
{
    /// <summary>
    /// The mean: over all elements, or for the class-index losses the weighted mean Σ wᵢ·lᵢ / Σ wᵢ over
    /// labels that are not ignored (the convention of ONNX SoftmaxCrossEntropyLoss).
    /// </summary>
    Mean,

    /// <summary>The sum of all per-element losses.</summary>
    Sum,
}
