namespace GradDiag.Detectors;

/// <summary>
/// Opens a warning when a trainable layer's update-to-parameter norm ratio stays above the high bound or below
/// the low bound; it needs update and parameter norms, so it observes live runs only.
/// </summary>
/// <remarks>
/// Steps whose update was skipped are not observed. The low bound is off while the learning rate is below
/// <see cref="UpdateRatioDetectorOptions.LearningRateDecayFraction"/> of the largest learning rate seen, because
/// a decayed schedule makes small updates on purpose.
/// </remarks>
internal sealed class UpdateRatioDetector : LayerDetector
{
    private readonly UpdateRatioDetectorOptions _options;
    private SeriesState[] _layers = [];
    private LayerStatistics? _layerStatistics;
    private double _peakLearningRate;

    public UpdateRatioDetector(UpdateRatioDetectorOptions options)
        : base(options.Name)
    {
        _options = options;
    }

    protected override void OnLayersChanged(LayerMap map)
    {
        var layers = new List<SeriesState>();
        for (int i = 0; i < map.Count; i++)
        {
            if (map.IsTrainable[i])
            {
                string name = map.Names[i];
                IReadOnlyList<string> parameters = map.TrainableParameterNames[i];
                layers.Add(new SeriesState(
                    i,
                    name,
                    new FindingTracker(FindingKey(Name, name) + ":high", [name], parameters),
                    new FindingTracker(FindingKey(Name, name) + ":low", [name], parameters),
                    _options.Window));
            }
        }

        _layers = [.. layers];
        _layerStatistics = new LayerStatistics(map.Count);
        _peakLearningRate = 0;
    }

    protected override void ObserveCore(StepStatistics statistics, IDetectorContext context)
    {
        if (statistics.UpdateSkipped)
        {
            return;
        }

        long step = statistics.Step;
        double learningRate = statistics.LearningRate;
        if (learningRate > _peakLearningRate)
        {
            _peakLearningRate = learningRate;
        }

        bool lowRuleOn = !(learningRate < _options.LearningRateDecayFraction * _peakLearningRate);
        LayerStatistics layers = _layerStatistics!;
        Map!.Aggregate(statistics.PerParameter, layers);
        foreach (SeriesState state in _layers)
        {
            double ratio = layers.UpdateToParameterRatio(state.Layer);
            if (!double.IsFinite(ratio))
            {
                continue;
            }

            state.Ratios.Add(step, ratio);
            bool high = ratio > _options.HighRatio;
            bool low = lowRuleOn && ratio < _options.LowRatio;
            state.HighFlags.Add(high);
            state.LowFlags.Add(low);
            Advance(state, state.High, state.HighFlags, high, step, ratio, isHigh: true, context);
            Advance(state, state.Low, state.LowFlags, low, step, ratio, isHigh: false, context);
        }
    }

    private void Advance(SeriesState state, FindingTracker tracker, FlagWindow flags, bool bad, long step, double ratio, bool isHigh, IDetectorContext context)
    {
        if (tracker.IsOpen)
        {
            if (bad)
            {
                tracker.LastStep = step;
            }

            if (flags.Fraction < _options.ReleaseFraction)
            {
                Book.Close(tracker, step, Evidence(state, flags, ratio, isHigh), context);
            }

            return;
        }

        if (flags.TrueCount >= _options.RequiredCount)
        {
            double bound = isHigh ? _options.HighRatio : _options.LowRatio;
            string direction = isHigh ? "above" : "below";
            string message = $"The update-to-weight ratio of layer '{state.Series}' is {Numbers.Format(ratio)} at step {step}, {direction} {Numbers.Format(bound)} on {flags.TrueCount} of the last {_options.Window} observed steps (a healthy ratio is about 1e-3).";
            string remedy = isHigh ? UpdateRatioDetectorConstants.HighRemedy : UpdateRatioDetectorConstants.LowRemedy;
            long first = step;
            for (int i = state.Ratios.Count - 1; i >= 0 && (isHigh ? state.Ratios[i] > bound : state.Ratios[i] < bound); i--)
            {
                first = state.Ratios.StepAt(i);
            }

            Book.Open(tracker, FindingKind.UpdateRatio, first, step, Severity.Warning, message, Evidence(state, flags, ratio, isHigh), remedy, context);
        }
    }

    private FindingEvidence Evidence(SeriesState state, FlagWindow flags, double ratio, bool isHigh)
    {
        // The bound that was crossed comes right after the latest ratio, because short displays such as the
        // demo's table show only the first values.
        var values = new Dictionary<string, double>(StringComparer.Ordinal) { ["latest"] = ratio };
        if (isHigh)
        {
            values["high_ratio"] = _options.HighRatio;
            values["low_ratio"] = _options.LowRatio;
        }
        else
        {
            values["low_ratio"] = _options.LowRatio;
            values["high_ratio"] = _options.HighRatio;
        }

        values["peak_learning_rate"] = _peakLearningRate;
        values["flagged_steps"] = flags.TrueCount;
        values["window"] = _options.Window;
        values["persistence_fraction"] = _options.PersistenceFraction;
        return new FindingEvidence
        {
            Series = "update_ratio/" + state.Series,
            Window = state.Ratios.ToEvidence(),
            Values = values,
        };
    }

    private sealed class SeriesState(int layer, string series, FindingTracker high, FindingTracker low, int window)
    {
        public int Layer { get; } = layer;

        public string Series { get; } = series;

        public FindingTracker High { get; } = high;

        public FindingTracker Low { get; } = low;

        public SeriesWindow Ratios { get; } = new(window);

        public FlagWindow HighFlags { get; } = new(window);

        public FlagWindow LowFlags { get; } = new(window);
    }
}
