namespace GradDiag.Detectors;

/// <summary>Options of the detector that reports trainable layers whose gradients are (almost) all zero.</summary>
public sealed class DeadLayerDetectorOptions : WindowedDetectorOptions
{
    /// <summary>Initializes the options with their defaults.</summary>
    public DeadLayerDetectorOptions()
        : base(DeadLayerDetectorConstants.DefaultName, defaultWindow: 20)
    {
    }

    /// <summary>Gets or sets the fraction of zero gradient elements at or above which a layer counts as dead.</summary>
    /// <value>
    /// In (0, 1]. The default is 0.99. A ReLU unit that never activates gives an all-zero row of its weight
    /// gradient; when 99% of the entries are zero the layer has all but stopped learning.
    /// </value>
    public double ZeroFractionThreshold { get; set; } = 0.99;

    /// <summary>Gets the name parts (case-insensitive) of layers to skip because their gradients are sparse by design.</summary>
    /// <value>The default is <c>embed</c>: an embedding's gradient is zero for every token absent from the batch.</value>
    public IList<string> IgnoreLayersContaining { get; } = ["embed"];

    internal override void Validate(string path, List<string> errors)
    {
        base.Validate(path, errors);
        CheckRange(errors, path, nameof(ZeroFractionThreshold), ZeroFractionThreshold, 1e-12, 1);
        for (int i = 0; i < IgnoreLayersContaining.Count; i++)
        {
            if (string.IsNullOrEmpty(IgnoreLayersContaining[i]))
            {
                errors.Add($"{path}.{nameof(IgnoreLayersContaining)}[{i}] must not be null or empty.");
            }
        }
    }
}
