namespace GradDiag.Detectors;

internal static class ExplodingDetectorConstants
{
    public const string DefaultName = "exploding";

    public const string SpikeDetectorName = "exploding";

    public const string GlobalSeries = "global";

    public const string Remedy =
        "Lower the learning rate (or lengthen its warm-up); clip gradients by global norm (for example at 1.0); " +
        "check weight initialisation and add normalisation (BatchNorm or LayerNorm); look for a data batch with extreme values.";

    public const string SpikeRemedy =
        "None needed for an isolated spike. If spikes become frequent, clip gradients by global norm and look for outlier batches.";
}
