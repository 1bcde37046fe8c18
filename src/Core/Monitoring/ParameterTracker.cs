namespace GradDiag;

/// <summary>
/// The monitor's per-parameter state: tag strings built once, reusable histogram buffers and the run's norm summary.
/// </summary>
internal sealed class ParameterTracker
{
    private readonly MedianReservoir _median;
    private long _steps;
    private long _nonFiniteSteps;
    private double _first = double.NaN;
    private double _last = double.NaN;
    private double _min = double.NaN;
    private double _max = double.NaN;

    public ParameterTracker(ParameterDescriptor descriptor, int index, bool isLogged)
    {
        Descriptor = descriptor;
        IsLogged = isLogged;
        _median = new MedianReservoir(index + 1);
        string name = descriptor.Name;
        GradientNormTag = SummaryTags.GradientNormPrefix + name;
        UpdateRatioTag = SummaryTags.UpdateRatioPrefix + name;
        GradientToParameterRatioTag = SummaryTags.GradientToParameterRatioPrefix + name;
        MaxAbsTag = SummaryTags.MaxAbsPrefix + name;
        ZeroFractionTag = SummaryTags.ZeroFractionPrefix + name;
        NonFiniteTag = SummaryTags.NonFinitePrefix + name;
        HistogramTag = SummaryTags.HistogramPrefix + name;
        Log10HistogramTag = SummaryTags.Log10HistogramPrefix + name;
    }

    public ParameterDescriptor Descriptor { get; }

    /// <summary>Gets a value indicating whether writers receive this parameter's records and histograms.</summary>
    public bool IsLogged { get; }

    public string GradientNormTag { get; }

    public string UpdateRatioTag { get; }

    public string GradientToParameterRatioTag { get; }

    public string MaxAbsTag { get; }

    public string ZeroFractionTag { get; }

    public string NonFiniteTag { get; }

    public string HistogramTag { get; }

    public string Log10HistogramTag { get; }

    /// <summary>Gets the exponential histogram buffer, created at the first histogram step.</summary>
    public HistogramData? Histogram { get; private set; }

    /// <summary>Gets the log10 magnitude histogram buffer, created at the first histogram step.</summary>
    public HistogramData? MagnitudeHistogram { get; private set; }

    /// <summary>Gets a value indicating whether the histograms were filled at the current step.</summary>
    public bool HasHistogramThisStep { get; set; }

    public void FillHistograms(ReadOnlySpan<float> gradient)
    {
        Histogram ??= ExponentialHistogram.Create();
        MagnitudeHistogram ??= GradDiag.MagnitudeHistogram.Create();
        ExponentialHistogram.Fill(gradient, Histogram);
        GradDiag.MagnitudeHistogram.Fill(gradient, MagnitudeHistogram);
        HasHistogramThisStep = true;
    }

    /// <summary>Adds one step's statistics to the run summary; unknown statistics are ignored.</summary>
    public void Track(in ParameterStatistics statistics)
    {
        double norm = statistics.L2Norm;
        if (double.IsNaN(norm) && statistics.NonFiniteCount < 0)
        {
            return;
        }

        if (statistics.HasNonFinite)
        {
            _nonFiniteSteps++;
        }

        if (double.IsNaN(norm))
        {
            return;
        }

        _steps++;
        if (_steps == 1)
        {
            _first = norm;
        }

        _last = norm;
        if (double.IsFinite(norm))
        {
            _min = double.IsNaN(_min) ? norm : Math.Min(_min, norm);
            _max = double.IsNaN(_max) ? norm : Math.Max(_max, norm);
            _median.Add(norm);
        }
    }

    public LayerSummary ToSummary(Severity? worstSeverity) => new()
    {
        Name = Descriptor.Name,
        Layer = Descriptor.Layer,
        Depth = Descriptor.Depth,
        Steps = _steps,
        FirstNorm = _first,
        LastNorm = _last,
        MinNorm = _min,
        MaxNorm = _max,
        MedianNorm = _median.Estimate(),
        NonFiniteSteps = _nonFiniteSteps,
        WorstSeverity = worstSeverity,
    };
}
