namespace GradDiag;

/// <summary>
/// Everything the monitor derived from one training step: loss, learning rate, global norm and per-parameter statistics.
/// </summary>
/// <remarks>
/// The monitor reuses one instance for every step so that steady state allocates nothing. Consumers (writers,
/// detectors) must copy what they keep beyond the call that hands them the instance.
/// </remarks>
public sealed class StepStatistics
{
    private readonly ParameterStatistics[] _perParameter;

    /// <summary>Creates statistics for the given parameters, all unknown.</summary>
    public StepStatistics(ParameterSet parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        Parameters = parameters;
        _perParameter = new ParameterStatistics[parameters.Count];
        Reset(0);
    }

    /// <summary>Gets the parameters, in depth order.</summary>
    public ParameterSet Parameters { get; }

    /// <summary>Gets or sets the training step.</summary>
    public long Step { get; set; }

    /// <summary>Gets or sets the training loss at this step, or NaN when unknown.</summary>
    public double Loss { get; set; }

    /// <summary>Gets or sets the learning rate used at this step, or NaN when unknown.</summary>
    public double LearningRate { get; set; }

    /// <summary>Gets or sets the L2 norm over all parameters' gradients, before any clipping; NaN when unknown.</summary>
    public double GlobalNorm { get; set; }

    /// <summary>Gets or sets the number of non-finite gradient elements over all parameters; -1 when unknown.</summary>
    public long NonFiniteCount { get; set; }

    /// <summary>Gets or sets a value indicating whether the optimizer update of this step was skipped.</summary>
    public bool UpdateSkipped { get; set; }

    /// <summary>Gets the statistics of each parameter, parallel to <see cref="Parameters"/>.</summary>
    public ReadOnlySpan<ParameterStatistics> PerParameter => _perParameter;

    /// <summary>Gets or sets the gradient histograms of this step, parallel to <see cref="Parameters"/>; null on steps without histograms.</summary>
    public IReadOnlyList<HistogramData?>? Histograms { get; set; }

    /// <summary>Sets the statistics of the parameter at <paramref name="index"/>.</summary>
    public void Set(int index, in ParameterStatistics statistics) => _perParameter[index] = statistics;

    /// <summary>Marks every value unknown and sets the step.</summary>
    public void Reset(long step)
    {
        Step = step;
        Loss = double.NaN;
        LearningRate = double.NaN;
        GlobalNorm = double.NaN;
        NonFiniteCount = -1;
        UpdateSkipped = false;
        Histograms = null;
        Array.Fill(_perParameter, ParameterStatistics.Unknown);
    }
}
