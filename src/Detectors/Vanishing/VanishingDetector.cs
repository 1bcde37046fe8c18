namespace GradDiag.Detectors;

/// <summary>
/// Opens a finding when a trainable layer's gradient stays below an absolute floor, stays orders of magnitude
/// below the output-side layers (gradient flow decaying across depth), or decays steadily towards zero while the
/// loss no longer improves.
/// </summary>
/// <remarks>
/// Converging training also shrinks gradients, so the decay rule stays silent while the loss still falls by
/// <see cref="VanishingDetectorOptions.MinLossImprovement"/> per window, and every rule stays silent for a layer
/// whose update-to-parameter ratio is known and healthy. The floor and depth rules do not depend on the loss:
/// a layer whose gradient is ten thousand times smaller than the output layer's is not learning, even while the
/// output-side layers drive the loss down. Layers with an exactly zero gradient belong to the dead-layer detector,
/// and frozen layers to the frozen detector.
/// </remarks>
internal sealed class VanishingDetector : LayerDetector
{
    private readonly VanishingDetectorOptions _options;
    private readonly double[] _scratch;
    private SeriesState[] _layers = [];
    private LayerStatistics? _layerStatistics;
    private SeriesWindow _loss;
    private int _lossImproving;
    private double _lossChange;

    public VanishingDetector(VanishingDetectorOptions options)
        : base(options.Name)
    {
        _options = options;
        _scratch = new double[options.Window];
        _loss = new SeriesWindow(options.Window);
    }

    private enum Rule
    {
        Floor,
        Depth,
        Decay,
    }

    protected override void OnLayersChanged(LayerMap map)
    {
        var layers = new List<SeriesState>();
        for (int i = 0; i < map.Count; i++)
        {
            if (map.IsTrainable[i])
            {
                layers.Add(new SeriesState(i, map.Names[i], new FindingTracker(FindingKey(Name, map.Names[i]), [map.Names[i]], map.TrainableParameterNames[i]), _options.Window));
            }
        }

        _layers = [.. layers];
        _layerStatistics = new LayerStatistics(map.Count);
        _loss = new SeriesWindow(_options.Window);
    }

    protected override void ObserveCore(StepStatistics statistics, IDetectorContext context)
    {
        long step = statistics.Step;
        LayerStatistics layers = _layerStatistics!;
        Map!.Aggregate(statistics.PerParameter, layers);
        if (double.IsFinite(statistics.Loss))
        {
            _loss.Add(step, statistics.Loss);
        }

        _lossImproving = -1;

        // The reference is the largest norm among the output-side half of the trainable layers.
        // NOTE: per-tensor L2 norms grow with tensor size, so the depth rule also sees size differences;
        // DepthRatio leaves about two orders of magnitude for them.
        int referencePosition = -1;
        double referenceNorm = double.NaN;
        for (int position = _layers.Length / 2; position < _layers.Length; position++)
        {
            double norm = layers.GradientNorm[_layers[position].Layer];
            if (double.IsFinite(norm) && norm > 0 && !(norm <= referenceNorm))
            {
                referenceNorm = norm;
                referencePosition = position;
            }
        }

        for (int position = 0; position < _layers.Length; position++)
        {
            SeriesState state = _layers[position];
            double norm = layers.GradientNorm[state.Layer];
            if (!double.IsFinite(norm) || norm <= 0)
            {
                continue;
            }

            double log = Math.Log10(norm);
            state.Logs.Add(step, log);
            double gradientRatio = layers.GradientToParameterRatio(state.Layer);
            double updateRatio = layers.UpdateToParameterRatio(state.Layer);
            bool learning = updateRatio >= _options.HealthyUpdateRatio;
            bool floor = !learning && (norm < _options.NormFloor || gradientRatio < _options.GradientToParameterRatioFloor);
            bool depth = !learning && position < referencePosition && norm < _options.DepthRatio * referenceNorm;
            bool decay = !learning && IsDecaying(state, log);
            state.Floor.Add(floor);
            state.Depth.Add(depth);
            state.Decay.Add(decay);
            bool bad = floor || depth || decay;
            state.Flags.Add(bad);
            if (bad && state.Flags.TrueCount == 1)
            {
                state.ConditionSince = step;
            }

            if (bad)
            {
                state.ReferenceNorm = referenceNorm;
                state.ReferenceName = referencePosition >= 0 ? _layers[referencePosition].Series : null;
                state.GradientRatio = gradientRatio;
                state.UpdateRatio = updateRatio;
            }

            Advance(state, step, norm, bad, context);
        }
    }

    private void Advance(SeriesState state, long step, double norm, bool bad, IDetectorContext context)
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
                Book.Close(tracker, step, Evidence(state, norm), context);
            }

            return;
        }

        if (state.Flags.TrueCount >= _options.RequiredCount)
        {
            Rule rule = PrimaryRule(state);
            Severity severity = rule == Rule.Decay ? Severity.Warning : Severity.Error;
            Book.Open(tracker, FindingKind.Vanishing, Math.Min(state.ConditionSince, step), step, severity, DescribeOpening(state, rule, norm, step), Evidence(state, norm), VanishingDetectorConstants.Remedy, context);
        }
    }

    private bool IsDecaying(SeriesState state, double log)
    {
        SeriesWindow logs = state.Logs;
        if (!logs.IsFull)
        {
            return false;
        }

        // A cheap pre-check first: a steady decay leaves the latest value well below the window's top. A decaying
        // series whose latest value is noisy-high skips the fit for that step, which the persistence fraction absorbs.
        double top = double.NegativeInfinity;
        for (int i = 0; i < logs.Count; i++)
        {
            top = Math.Max(top, logs[i]);
        }

        if (top - log < 0.5 * _options.DecayOrdersPerWindow)
        {
            return false;
        }

        state.Slope = RobustStatistics.ResistantSlope(logs, _scratch);
        double span = logs.StepAt(logs.Count - 1) - logs.StepAt(0);
        return state.Slope * span <= -_options.DecayOrdersPerWindow && !IsLossImproving();
    }

    /// <summary>Returns whether the loss fell by at least the minimum improvement over the window; computed once per step.</summary>
    private bool IsLossImproving()
    {
        if (_lossImproving >= 0)
        {
            return _lossImproving == 1;
        }

        _lossImproving = 0;
        _lossChange = double.NaN;
        if (_loss.Count >= Math.Max(3, _loss.Capacity / 2))
        {
            double slope = RobustStatistics.ResistantSlope(_loss, _scratch);
            double level = Math.Abs(RobustStatistics.Median(_loss, _scratch));
            double span = _loss.StepAt(_loss.Count - 1) - _loss.StepAt(0);
            _lossChange = level > 0 ? slope * span / level : double.NaN;
            _lossImproving = _lossChange <= -_options.MinLossImprovement ? 1 : 0;
        }

        return _lossImproving == 1;
    }

    private static Rule PrimaryRule(SeriesState state)
    {
        if (state.Depth.TrueCount >= state.Floor.TrueCount && state.Depth.TrueCount >= state.Decay.TrueCount)
        {
            return Rule.Depth;
        }

        return state.Floor.TrueCount >= state.Decay.TrueCount ? Rule.Floor : Rule.Decay;
    }

    private string DescribeOpening(SeriesState state, Rule rule, double norm, long step)
    {
        string held = $"on {state.Flags.TrueCount} of the last {_options.Window} observed steps";
        return rule switch
        {
            Rule.Depth =>
                $"Layer '{state.Series}' gets gradients {Numbers.Format(norm / state.ReferenceNorm)} times those of the output-side layer '{state.ReferenceName}' " +
                $"(norm {Numbers.Format(norm)} vs {Numbers.Format(state.ReferenceNorm)} at step {step}), below the depth ratio {Numbers.Format(_options.DepthRatio)} {held}: gradient flow decays across depth.",
            Rule.Floor =>
                $"The gradient of layer '{state.Series}' has norm {Numbers.Format(norm)} (gradient-to-parameter ratio {Numbers.Format(state.GradientRatio)}) at step {step}, " +
                $"below the floor {Numbers.Format(_options.NormFloor)} (ratio floor {Numbers.Format(_options.GradientToParameterRatioFloor)}) {held}.",
            _ =>
                $"The gradient norm of layer '{state.Series}' decays steadily: {Numbers.Format(state.Slope)} orders of magnitude per step, now {Numbers.Format(norm)} at step {step}, " +
                $"while the loss is not improving (relative change {Numbers.Format(_lossChange)} over the window) {held}.",
        };
    }

    private FindingEvidence Evidence(SeriesState state, double norm)
    {
        return new FindingEvidence
        {
            Series = "grad_norm/" + state.Series,
            Window = state.Logs.ToEvidence(Numbers.FromLog10),
            Values = new Dictionary<string, double>(StringComparer.Ordinal)
            {
                ["latest"] = norm,
                ["reference_norm"] = state.ReferenceNorm,
                ["depth_ratio"] = norm / state.ReferenceNorm,
                ["depth_ratio_threshold"] = _options.DepthRatio,
                ["norm_floor"] = _options.NormFloor,
                ["gradient_to_parameter_ratio"] = state.GradientRatio,
                ["gradient_to_parameter_ratio_floor"] = _options.GradientToParameterRatioFloor,
                ["update_to_parameter_ratio"] = state.UpdateRatio,
                ["slope_log10_per_step"] = state.Slope,
                ["decay_orders_per_window"] = _options.DecayOrdersPerWindow,
                ["loss_relative_change"] = _lossChange,
                ["floor_steps"] = state.Floor.TrueCount,
                ["depth_steps"] = state.Depth.TrueCount,
                ["decay_steps"] = state.Decay.TrueCount,
                ["window"] = _options.Window,
                ["persistence_fraction"] = _options.PersistenceFraction,
            },
        };
    }

    private sealed class SeriesState(int layer, string series, FindingTracker tracker, int window)
    {
        public int Layer { get; } = layer;

        public string Series { get; } = series;

        public FindingTracker Tracker { get; } = tracker;

        public SeriesWindow Logs { get; } = new(window);

        public FlagWindow Flags { get; } = new(window);

        public FlagWindow Floor { get; } = new(window);

        public FlagWindow Depth { get; } = new(window);

        public FlagWindow Decay { get; } = new(window);

        public long ConditionSince { get; set; }

        public double Slope { get; set; } = double.NaN;

        public double ReferenceNorm { get; set; } = double.NaN;

        public string? ReferenceName { get; set; }

        public double GradientRatio { get; set; } = double.NaN;

        public double UpdateRatio { get; set; } = double.NaN;
    }
}
