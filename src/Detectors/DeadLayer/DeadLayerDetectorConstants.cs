namespace GradDiag.Detectors;

internal static class DeadLayerDetectorConstants
{
    public const string DefaultName = "dead-layer";

    public const string Remedy =
        "For dead ReLU units use LeakyReLU or GELU, a lower learning rate or He initialisation with a small positive bias; " +
        "a gradient that is exactly zero from the first step means the layer is not connected to the loss, or is frozen " +
        "without being marked non-trainable.";
}
