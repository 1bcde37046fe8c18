using System.Globalization;

namespace GradDiag.Detectors;

/// <summary>
/// Opens an error when a layer's or the global gradient norm stays far above its own baseline, or grows
/// geometrically over a window; reports short excursions that end before that as spike observations.
/// </summary>
/// <remarks>
/// Each series works in log10 space. Its baseline is the median of its first observations, then an exponential
/// moving average over the steps that are not elevated, so slow drift moves it and an explosion does not. A step is
/// bad when it is <see cref="ExplodingDetectorOptions.GrowthFactor"/> times above the baseline (or at the absolute
/// ceiling), or when Tukey's resistant-line slope over the full window rises by
/// <see cref="ExplodingDetectorOptions.GrowthOrdersPerWindow"/> orders of magnitude while the norm is already above
/// the square root of the growth factor. The slope uses medians of the window's thirds, so single spikes do not tilt it.
/// </remarks>
internal sealed class ExplodingDetector : LayerDetector
{
    // log10 of an infinite norm: above the log10 of any finite double (about 308.25).
    private const double InfiniteLog = 400;

    private readonly ExplodingDetectorOptions _options;
    private readonly double _logFactor;
    private readonly double _alpha;
    private readonly double[] _scratch;
    private SeriesState[] _layers = [];
    private SeriesState? _global;
    private LayerStatistics? _layerStatistics;
    private SeriesState[] _endedSpikes = [];
    private int _endedSpikeCount;

    public ExplodingDetector(ExplodingDetectorOptions options)
        : base(options.Name)
    {
        _options = options;
        _logFactor = Math.Log10(options.GrowthFactor);
        _alpha = 2.0 / (options.BaselineSpan + 1);
        _scratch = new double[Math.Max(options.Window, options.BaselineSteps)];
    }

    protected override void OnLayersChanged(LayerMap map)
    {
        var layers = new List<SeriesState>();
        for (int i = 0; i < map.Count; i++)
        {
            if (map.IsTrainable[i])
            {
                layers.Add(new SeriesState(i, map.Names[i], new FindingTracker(FindingKey(Name, map.Names[i]), [map.Names[i]], map.TrainableParameterNames[i]), _options));
            }
        }

        _layers = [.. layers];
        _global = new SeriesState(-1, ExplodingDetectorConstants.GlobalSeries, new FindingTracker(FindingKey(Name, ExplodingDetectorConstants.GlobalSeries), [], []), _options);
        _layerStatistics = new LayerStatistics(map.Count);
        _endedSpikes = new SeriesState[_layers.Length + 1];
    }

    protected override void ObserveCore(StepStatistics statistics, IDetectorContext context)
    {
        long step = statistics.Step;
        Map!.Aggregate(statistics.PerParameter, _layerStatistics!);
        _endedSpikeCount = 0;
        foreach (SeriesState state in _layers)
        {
            ObserveSeries(state, step, _layerStatistics!.GradientNorm[state.Layer], context);
        }

        if (_options.WatchGlobalNorm)
        {
            ObserveSeries(_global!, step, LayerMap.GlobalNorm(statistics), context);
        }

        if (_endedSpikeCount > 0)
        {
            ReportSpike(step, context);
        }
    }

    private void ObserveSeries(SeriesState state, long step, double norm, IDetectorContext context)
    {
        // NaN belongs to the non-finite detector, and a zero norm has no scale to compare.
        if (double.IsNaN(norm) || norm <= 0)
        {
            return;
        }

        double log = double.IsPositiveInfinity(norm) ? InfiniteLog : Math.Log10(norm);
        state.Logs.Add(step, log);
        if (state.SeedCount < _options.BaselineSteps)
        {
            state.Seed[state.SeedCount++] = log;
            if (state.SeedCount == _options.BaselineSteps)
            {
                state.Baseline = RobustStatistics.MedianInPlace(state.Seed.AsSpan(0, state.SeedCount));
            }

            return;
        }

        // NOTE: a warm-up in which the norm rises tenfold within a few dozen steps outruns the moving baseline and
        // reads as an explosion; BaselineSteps must then cover the warm-up.
        double excess = log - state.Baseline;
        bool elevated = excess >= _logFactor || norm >= _options.AbsoluteCeiling;
        bool growing = false;
        if (state.Logs.IsFull && excess >= 0.5 * _logFactor)
        {
            state.Slope = RobustStatistics.ResistantSlope(state.Logs, _scratch);
            growing = state.Slope * WindowSpan(state.Logs) >= _options.GrowthOrdersPerWindow;
        }

        bool bad = elevated || growing;
        state.Flags.Add(bad);
        if (bad && state.Flags.TrueCount == 1)
        {
            state.ConditionSince = step;
        }

        FindingTracker tracker = state.Tracker;
        if (tracker.IsOpen)
        {
            if (bad)
            {
                tracker.LastStep = step;
            }

            if (state.Flags.Fraction < _options.ReleaseFraction && !growing)
            {
                Book.Close(tracker, step, Evidence(state, log), context);
            }

            return;
        }

        if (!bad)
        {
            state.Baseline += _alpha * (log - state.Baseline);
        }

        TrackExcursion(state, step, log, elevated);
        if (state.Flags.TrueCount >= _options.RequiredCount || growing)
        {
            state.ExcursionLength = 0;
            long since = Math.Min(state.ConditionSince, step);
            Book.Open(tracker, FindingKind.Exploding, since, step, Severity.Error, DescribeOpening(state, step, norm, growing), Evidence(state, log), ExplodingDetectorConstants.Remedy, context);
        }
    }

    private void TrackExcursion(SeriesState state, long step, double log, bool elevated)
    {
        if (elevated)
        {
            if (state.ExcursionLength == 0)
            {
                state.ExcursionStart = step;
                state.ExcursionPeak = log;
                state.ExcursionPeakStep = step;
            }
            else if (log > state.ExcursionPeak)
            {
                state.ExcursionPeak = log;
                state.ExcursionPeakStep = step;
            }

            state.ExcursionLength++;
            state.ExcursionEnd = step;
            return;
        }

        if (state.ExcursionLength > 0)
        {
            _endedSpikes[_endedSpikeCount++] = state;
            state.ExcursionLength = 0;
        }
    }

    private void ReportSpike(long step, IDetectorContext context)
    {
        SeriesState highest = _endedSpikes[0];
        long first = long.MaxValue;
        long last = long.MinValue;
        var layers = new List<string>(_endedSpikeCount);
        for (int i = 0; i < _endedSpikeCount; i++)
        {
            SeriesState state = _endedSpikes[i];
            layers.Add(state.Series);
            first = Math.Min(first, state.ExcursionStart);
            last = Math.Max(last, state.ExcursionEnd);
            if (state.ExcursionPeak - state.Baseline > highest.ExcursionPeak - highest.Baseline)
            {
                highest = state;
            }
        }

        double peak = Numbers.FromLog10(highest.ExcursionPeak);
        double baseline = Numbers.FromLog10(highest.Baseline);
        long length = last - first + 1;
        string where = layers.Count == 1 ? $"series '{layers[0]}'" : $"{layers.Count} series ({string.Join(", ", layers)})";
        var spike = new Finding
        {
            Id = FormattableString.Invariant($"{Name}:spike@{first}"),
            Detector = Name,
            Kind = FindingKind.Spike,
            Severity = Severity.Information,
            Message = $"Gradient norm spiked in {where} at step {first}: peak {Numbers.Format(peak)} ({Numbers.Format(peak / baseline)}x the baseline {Numbers.Format(baseline)}) in '{highest.Series}', back below {Numbers.Format(_options.GrowthFactor)}x by step {step}; an isolated spike, not an explosion.",
            Layers = layers.Where(series => series != ExplodingDetectorConstants.GlobalSeries).ToArray(),
            Parameters = [],
            FirstStep = first,
            LastStep = last,
            ClosedAtStep = step,
            Evidence = new FindingEvidence
            {
                Series = SeriesName(highest),
                Window = highest.Logs.ToEvidence(Numbers.FromLog10),
                Values = new Dictionary<string, double>(StringComparer.Ordinal)
                {
                    ["baseline"] = baseline,
                    ["peak"] = peak,
                    ["peak_step"] = highest.ExcursionPeakStep,
                    ["ratio"] = peak / baseline,
                    ["threshold"] = baseline * _options.GrowthFactor,
                    ["length_steps"] = length,
                },
            },
            Remedy = ExplodingDetectorConstants.SpikeRemedy,
        };
        context.Report(new FindingEvent(FindingEventKind.Observed, spike, step));
    }

    private string DescribeOpening(SeriesState state, long step, double norm, bool growing)
    {
        double baseline = Numbers.FromLog10(state.Baseline);
        string subject = state.Layer < 0 ? "The global gradient norm" : $"The gradient norm of layer '{state.Series}'";
        string now = $"now {Numbers.Format(norm)} ({Numbers.Format(norm / baseline)}x its baseline {Numbers.Format(baseline)}) at step {step}";
        if (growing)
        {
            string perStep = Numbers.Format(Math.Pow(10, state.Slope));
            return $"{subject} grows geometrically: +{Numbers.Format(state.Slope)} orders of magnitude per step (x{perStep} per step) over the last {state.Logs.Count} observed steps, {now}.";
        }

        return string.Create(CultureInfo.InvariantCulture, $"{subject} stayed above {Numbers.Format(_options.GrowthFactor)}x its baseline on {state.Flags.TrueCount} of the last {_options.Window} observed steps, {now}.");
    }

    private FindingEvidence Evidence(SeriesState state, double log)
    {
        double baseline = Numbers.FromLog10(state.Baseline);
        return new FindingEvidence
        {
            Series = SeriesName(state),
            Window = state.Logs.ToEvidence(Numbers.FromLog10),
            Values = new Dictionary<string, double>(StringComparer.Ordinal)
            {
                ["baseline"] = baseline,
                ["threshold"] = baseline * _options.GrowthFactor,
                ["latest"] = Numbers.FromLog10(log),
                ["ratio"] = Numbers.FromLog10(log - state.Baseline),
                ["slope_log10_per_step"] = state.Slope,
                ["growth_orders_per_window"] = _options.GrowthOrdersPerWindow,
                ["elevated_steps"] = state.Flags.TrueCount,
                ["window"] = _options.Window,
                ["persistence_fraction"] = _options.PersistenceFraction,
                ["absolute_ceiling"] = _options.AbsoluteCeiling,
            },
        };
    }

    private static string SeriesName(SeriesState state) => "grad_norm/" + state.Series;

    private static double WindowSpan(SeriesWindow window) => window.StepAt(window.Count - 1) - window.StepAt(0);

    private sealed class SeriesState(int layer, string series, FindingTracker tracker, ExplodingDetectorOptions options)
    {
        public int Layer { get; } = layer;

        public string Series { get; } = series;

        public FindingTracker Tracker { get; } = tracker;

        public SeriesWindow Logs { get; } = new(options.Window);

        public FlagWindow Flags { get; } = new(options.Window);

        public double[] Seed { get; } = new double[options.BaselineSteps];

        public int SeedCount { get; set; }

        /// <summary>Gets or sets the baseline as log10 of the norm.</summary>
        public double Baseline { get; set; }

        public double Slope { get; set; }

        public long ConditionSince { get; set; }

        public int ExcursionLength { get; set; }

        public long ExcursionStart { get; set; }

        public long ExcursionEnd { get; set; }

        public double ExcursionPeak { get; set; }

        public long ExcursionPeakStep { get; set; }
    }
}
