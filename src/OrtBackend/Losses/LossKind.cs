namespace GradDiag.OrtBackend.Losses;

/// <summary>The loss functions <see cref="LossBuilder"/> can append to a model.</summary>
public enum LossKind
{
    /// <summary>Mean squared error between the prediction and a target of the same shape.</summary>
    MeanSquaredError,

    /// <summary>
    /// Cross-entropy of logits (N, C[, D…]) against INT64 class indices (N[, D…]), with softmax over axis 1,
    /// optional class weights and an optional ignored label.
    /// </summary>
    CrossEntropy,

    /// <summary>Negative log-likelihood of log-probabilities (N, C[, D…]) against INT64 class indices.</summary>
    NegativeLogLikelihood,

    /// <summary>Binary cross-entropy of logits against targets in [0, 1] of the same shape, in a numerically stable form.</summary>
    BinaryCrossEntropyWithLogits,

    /// <summary>The prediction already is the scalar loss; it is only renamed and moved to the first output.</summary>
    Scalar,
}
