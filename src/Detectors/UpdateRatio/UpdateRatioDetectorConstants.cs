namespace GradDiag.Detectors;

internal static class UpdateRatioDetectorConstants
{
    public const string DefaultName = "update-ratio";

    public const string HighRemedy = "Lower the learning rate (or lengthen its warm-up) or clip gradients; an update this large relative to the weights discards what the layer learned.";

    public const string LowRemedy = "If the layer's gradient is itself tiny, treat it as vanishing (see that finding); otherwise raise the learning rate or check that the optimizer updates this layer (weight decay alone, a wrong parameter group, or a scheduler stuck at zero).";
}
