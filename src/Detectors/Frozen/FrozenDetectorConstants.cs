namespace GradDiag.Detectors;

internal static class FrozenDetectorConstants
{
    public const string DefaultName = "frozen";

    public const string Remedy = "None needed if the layer is frozen on purpose (fine-tuning, a pretrained encoder); otherwise mark its parameters trainable.";
}
