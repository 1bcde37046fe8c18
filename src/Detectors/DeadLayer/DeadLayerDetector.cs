namespace GradDiag.Detectors;

/// <summary>
/// Opens a finding when a trainable layer's gradient is exactly zero, or has at least the threshold fraction
/// of zero elements, on the persistence fraction of the window.
/// </summary>
/// <remarks>
/// A gradient norm of exactly zero is a dead layer in live and offline runs alike; the zero fraction is known
/// in live runs only. A layer that is exactly zero from its first observed step is most likely disconnected
/// from the loss or frozen without being marked non-trainable, and the message says so.
/// </remarks>
internal sealed class DeadLayerDetector : LayerDetector
{
    private readonly DeadLayerDetectorOptions _options;
    private SeriesState[] _layers = [];
    private LayerStatistics? _layerStatistics;

    public DeadLayerDetector(DeadLayerDetectorOptions options)
        : base(options.Name)
    {
        _options = options;
    }

    protected override void OnLayersChanged(LayerMap map)
    {
        var layers = new List<SeriesState>();
        for (int i = 0; i < map.Count; i++)
        {
            if (map.IsTrainable[i] && !IsIgnored(map.Names[i]))
            {
                layers.Add(new SeriesState(i, map.Names[i], new FindingTracker(FindingKey(Name, map.Names[i]), [map.Names[i]], map.TrainableParameterNames[i]), _options.Window));
            }
        }

        _layers = [.. layers];
        _layerStatistics = new LayerStatistics(map.Count);
    }

    protected override void ObserveCore(StepStatistics statistics, IDetectorContext context)
    {
        long step = statistics.Step;
        LayerStatistics layers = _layerStatistics!;
        Map!.Aggregate(statistics.PerParameter, layers);
        foreach (SeriesState state in _layers)
        {
            double norm = layers.GradientNorm[state.Layer];
            double zeroFraction = layers.ZeroFraction[state.Layer];
            if (!double.IsFinite(norm))
            {
                continue;
            }

            bool zeroNorm = norm == 0;
            bool bad = zeroNorm || zeroFraction >= _options.ZeroFractionThreshold;
            state.Observed++;
            if (zeroNorm && state.Observed == state.ZeroSinceStart + 1)
            {
                state.ZeroSinceStart++;
            }

            state.Norms.Add(step, norm);
            state.ZeroFractions.Add(step, zeroNorm ? 1 : zeroFraction);
            state.Zero.Add(zeroNorm);
            state.Flags.Add(bad);
            if (bad && state.Flags.TrueCount == 1)
            {
                state.ConditionSince = step;
            }

            Advance(state, step, bad, context);
        }
    }

    private void Advance(SeriesState state, long step, bool bad, IDetectorContext context)
    {
        FindingTracker tracker = state.Tracker;
        if (tracker.IsOpen)
        {
            if (bad)
            {
                tracker.LastStep = step;
            }

            if (state.Flags.Fraction < _options.ReleaseFraction)
            {
                Book.Close(tracker, step, Evidence(state), context);
            }

            return;
        }

        if (state.Flags.TrueCount >= _options.RequiredCount)
        {
            bool allZero = state.Zero.TrueCount >= _options.RequiredCount;
            Book.Open(tracker, FindingKind.DeadLayer, Math.Min(state.ConditionSince, step), step, allZero ? Severity.Error : Severity.Warning, DescribeOpening(state, allZero, step), Evidence(state), DeadLayerDetectorConstants.Remedy, context);
        }
    }

    private string DescribeOpening(SeriesState state, bool allZero, long step)
    {
        string held = $"on {state.Flags.TrueCount} of the last {_options.Window} observed steps (step {step})";
        if (allZero && state.ZeroSinceStart == state.Observed)
        {
            return $"Layer '{state.Series}' is trainable but its gradient has been exactly zero since its first observed step, {held}: it is not connected to the loss, or is frozen without being marked non-trainable.";
        }

        if (allZero)
        {
            return $"Layer '{state.Series}' is trainable but its gradient is exactly zero {held}: the layer has stopped learning (dead units).";
        }

        return $"Layer '{state.Series}' has at least {Numbers.Format(_options.ZeroFractionThreshold * 100)}% zero gradient elements {held} (latest {Numbers.Format(state.ZeroFractions.Latest * 100)}%): most of its units are dead.";
    }

    private FindingEvidence Evidence(SeriesState state)
    {
        return new FindingEvidence
        {
            Series = "grad_norm/" + state.Series,
            Window = state.Norms.ToEvidence(),
            Values = new Dictionary<string, double>(StringComparer.Ordinal)
            {
                ["latest_norm"] = state.Norms.Latest,
                ["latest_zero_fraction"] = state.ZeroFractions.Latest,
                ["zero_fraction_threshold"] = _options.ZeroFractionThreshold,
                ["zero_norm_steps"] = state.Zero.TrueCount,
                ["dead_steps"] = state.Flags.TrueCount,
                ["window"] = _options.Window,
                ["persistence_fraction"] = _options.PersistenceFraction,
            },
        };
    }

    private bool IsIgnored(string layer)
    {
        foreach (string part in _options.IgnoreLayersContaining)
        {
            if (layer.Contains(part, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private sealed class SeriesState(int layer, string series, FindingTracker tracker, int window)
    {
        public int Layer { get; } = layer;

        public string Series { get; } = series;

        public FindingTracker Tracker { get; } = tracker;

        public SeriesWindow Norms { get; } = new(window);

        public SeriesWindow ZeroFractions { get; } = new(window);

        public FlagWindow Flags { get; } = new(window);

        public FlagWindow Zero { get; } = new(window);

        public long ConditionSince { get; set; }

        public long Observed { get; set; }

        public long ZeroSinceStart { get; set; }
    }
}
