namespace GradDiag.Detectors;

/// <summary>
/// The options of a detector that judges a condition over a sliding window of steps, with hysteresis.
/// </summary>
/// <remarks>
/// A finding opens when its condition held on at least <see cref="PersistenceFraction"/> of the last
/// <see cref="Window"/> observed steps, and closes when the fraction falls below <see cref="ReleaseFraction"/>.
/// The gap between the two fractions keeps a condition that hovers near the threshold from opening and
/// closing at every step.
/// </remarks>
public abstract class WindowedDetectorOptions : GradientDetectorOptions
{
    /// <summary>Initializes the options with the detector's default name and window.</summary>
    /// <param name="defaultName">The detector's default name.</param>
    /// <param name="defaultWindow">The default window length in observed steps.</param>
    private protected WindowedDetectorOptions(string defaultName, int defaultWindow)
        : base(defaultName)
    {
        Window = defaultWindow;
    }

    /// <summary>Gets or sets the number of observed steps the condition is judged over.</summary>
    /// <value>Between 3 and 100,000; each detector documents its own default.</value>
    public int Window { get; set; }

    /// <summary>Gets or sets the fraction of the window on which the condition must hold for a finding to open.</summary>
    /// <value>In (0, 1]. The default is 0.8: the condition held on four steps out of five.</value>
    public double PersistenceFraction { get; set; } = 0.8;

    /// <summary>Gets or sets the fraction of the window below which an open finding closes.</summary>
    /// <value>In [0, <see cref="PersistenceFraction"/>). The default is 0.5: the condition held on fewer than half the steps.</value>
    public double ReleaseFraction { get; set; } = 0.5;

    /// <summary>Gets the number of steps on which the condition must hold for a finding to open.</summary>
    internal int RequiredCount => Math.Max(1, (int)Math.Ceiling((PersistenceFraction * Window) - 1e-9));

    internal override void Validate(string path, List<string> errors)
    {
        base.Validate(path, errors);
        if (Window is < 3 or > 100_000)
        {
            errors.Add($"{path}.{nameof(Window)} must be between 3 and 100000 steps, but was {Window}.");
        }

        if (double.IsNaN(PersistenceFraction) || PersistenceFraction <= 0 || PersistenceFraction > 1)
        {
            errors.Add(FormattableString.Invariant($"{path}.{nameof(PersistenceFraction)} must be greater than 0 and at most 1, but was {PersistenceFraction:G}."));
        }

        if (double.IsNaN(ReleaseFraction) || ReleaseFraction < 0 || ReleaseFraction >= PersistenceFraction)
        {
            errors.Add(FormattableString.Invariant($"{path}.{nameof(ReleaseFraction)} must be at least 0 and less than {nameof(PersistenceFraction)} ({PersistenceFraction:G}), but was {ReleaseFraction:G}."));
        }
    }
}
