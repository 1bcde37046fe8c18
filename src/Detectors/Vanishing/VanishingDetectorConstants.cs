namespace GradDiag.Detectors;

internal static class VanishingDetectorConstants
{
    public const string DefaultName = "vanishing";

    public const string Remedy =
        "Use a non-saturating activation (ReLU, GELU) instead of sigmoid or tanh; use He or Xavier initialisation; " +
        "add normalisation (BatchNorm or LayerNorm) or residual connections; reduce the depth; raise the learning rate if the updates are tiny.";
}
