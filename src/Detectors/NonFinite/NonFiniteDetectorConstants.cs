namespace GradDiag.Detectors;

internal static class NonFiniteDetectorConstants
{
    public const string DefaultName = "non-finite";

    public const string SkipReason = "non-finite gradients or loss";

    public const string LossKey = "loss";

    public const string GlobalKey = "global";

    public const string Remedy =
        "Lower the learning rate; clip gradients by global norm; with mixed precision use dynamic loss scaling " +
        "(or a larger float type for the loss); check the input data and labels for NaN or infinite values and " +
        "the loss for log(0) or division by zero.";
}
