using System.Text;

namespace GradDiag.Detectors;

/// <summary>
/// Opens a critical finding at the first step where a layer's gradient, parameter or update, or the loss, holds
/// NaN or infinite values, and closes it after a run of finite steps.
/// </summary>
/// <remarks>
/// A loss of NaN means "unknown" in <see cref="StepStatistics"/>, so a NaN loss counts as non-finite only
/// after a finite loss on each of the three previous observed steps (a source that logs the loss every step),
/// or while the loss finding is open. An infinite loss always counts. Wholly unknown parameter statistics (NaN norm and a non-finite
/// count of -1) are skipped; a NaN norm with a known count, as read back from a log, counts as non-finite.
/// </remarks>
internal sealed class NonFiniteDetector : LayerDetector
{
    // A source that reported a finite loss on this many consecutive steps reports it every step, so a NaN is real.
    private const int TrustedLossRun = 3;

    private readonly NonFiniteDetectorOptions _options;
    private SeriesState[] _layers = [];
    private SeriesState? _loss;
    private SeriesState? _global;
    private bool[] _badLayers = [];
    private bool[] _layerKnown = [];
    private double[] _layerSquares = [];
    private int _finiteLossRun;

    public NonFiniteDetector(NonFiniteDetectorOptions options)
        : base(options.Name)
    {
        _options = options;
    }

    protected override void OnLayersChanged(LayerMap map)
    {
        _layers = new SeriesState[map.Count];
        for (int i = 0; i < map.Count; i++)
        {
            _layers[i] = new SeriesState(new FindingTracker(FindingKey(Name, map.Names[i]), [map.Names[i]], map.ParameterNames[i]), _options.RecoverySteps);
        }

        _badLayers = new bool[map.Count];
        _layerKnown = new bool[map.Count];
        _layerSquares = new double[map.Count];
        _loss = new SeriesState(new FindingTracker(FindingKey(Name, NonFiniteDetectorConstants.LossKey), [], []), _options.RecoverySteps);
        _global = new SeriesState(new FindingTracker(FindingKey(Name, NonFiniteDetectorConstants.GlobalKey), [], []), _options.RecoverySteps);
        _finiteLossRun = 0;
    }

    protected override void ObserveCore(StepStatistics statistics, IDetectorContext context)
    {
        if (_options.IgnoreSkippedSteps && statistics.UpdateSkipped)
        {
            return;
        }

        LayerMap map = Map!;
        long step = statistics.Step;
        Array.Clear(_badLayers);
        Array.Clear(_layerSquares);
        Array.Clear(_layerKnown);
        ReadOnlySpan<ParameterStatistics> perParameter = statistics.PerParameter;
        for (int i = 0; i < perParameter.Length; i++)
        {
            int layer = map.LayerOf(i);
            if (IsNonFinite(perParameter[i]))
            {
                _badLayers[layer] = true;
            }

            if (!LayerMap.IsUnknown(perParameter[i]))
            {
                _layerKnown[layer] = true;
                _layerSquares[layer] += perParameter[i].L2Norm * perParameter[i].L2Norm;
            }
        }

        bool anyBad = false;
        for (int layer = 0; layer < _layers.Length; layer++)
        {
            SeriesState state = _layers[layer];
            state.Window.Add(step, _layerKnown[layer] ? Math.Sqrt(_layerSquares[layer]) : double.NaN);
            anyBad |= _badLayers[layer];
            Update(state, _badLayers[layer], step, context, statistics, layer);
        }

        double loss = statistics.Loss;
        bool lossBad = double.IsInfinity(loss) || (double.IsNaN(loss) && (_finiteLossRun >= TrustedLossRun || _loss!.Tracker.IsOpen));
        _finiteLossRun = double.IsFinite(loss) ? _finiteLossRun + 1 : 0;
        _loss!.Window.Add(step, loss);
        Update(_loss, lossBad, step, context, statistics, -1);

        // The step's own counters can show non-finite values that no known parameter statistic carries.
        double globalNorm = statistics.GlobalNorm;
        bool globalBad = !anyBad && (statistics.NonFiniteCount > 0 || double.IsInfinity(globalNorm));
        _global!.Window.Add(step, globalNorm);
        Update(_global, globalBad, step, context, statistics, -2);

        if (_options.RequestSkipUpdate && (anyBad || lossBad || globalBad) && !statistics.UpdateSkipped)
        {
            context.RequestSkipUpdate(NonFiniteDetectorConstants.SkipReason);
        }
    }

    private static bool IsNonFinite(in ParameterStatistics parameter)
    {
        if (LayerMap.IsUnknown(parameter))
        {
            return double.IsInfinity(parameter.UpdateNorm) || double.IsInfinity(parameter.ParameterNorm);
        }

        return parameter.HasNonFinite
            || double.IsInfinity(parameter.UpdateNorm)
            || double.IsInfinity(parameter.ParameterNorm);
    }

    private void Update(SeriesState state, bool bad, long step, IDetectorContext context, StepStatistics statistics, int layer)
    {
        FindingTracker tracker = state.Tracker;
        if (bad)
        {
            state.FiniteRun = 0;
            if (tracker.IsOpen)
            {
                tracker.LastStep = step;
                return;
            }

            Book.Open(tracker, FindingKind.NonFinite, step, step, Severity.Critical, DescribeOpening(statistics, layer), Evidence(state, statistics, layer), NonFiniteDetectorConstants.Remedy, context);
            return;
        }

        if (tracker.IsOpen && ++state.FiniteRun >= _options.RecoverySteps)
        {
            Book.Close(tracker, step, null, context);
        }
    }

    private string DescribeOpening(StepStatistics statistics, int layer)
    {
        long step = statistics.Step;
        if (layer == -1)
        {
            return $"The loss became {Numbers.Format(statistics.Loss)} at step {step}.";
        }

        if (layer == -2)
        {
            return $"The step reported {statistics.NonFiniteCount} non-finite gradient values (global norm {Numbers.Format(statistics.GlobalNorm)}) at step {step}.";
        }

        LayerMap map = Map!;
        var builder = new StringBuilder();
        builder.Append("Layer '").Append(map.Names[layer]).Append("' has non-finite values at step ").Append(step).Append(": ");
        bool first = true;
        ReadOnlySpan<ParameterStatistics> perParameter = statistics.PerParameter;
        for (int i = 0; i < perParameter.Length; i++)
        {
            if (map.LayerOf(i) != layer || !IsNonFinite(perParameter[i]))
            {
                continue;
            }

            if (!first)
            {
                builder.Append("; ");
            }

            first = false;
            builder.Append(DescribeParameter(map.Parameters[i].Name, perParameter[i]));
        }

        return builder.Append('.').ToString();
    }

    private static string DescribeParameter(string name, in ParameterStatistics parameter)
    {
        var parts = new List<string>();
        if (parameter.NonFiniteCount > 0)
        {
            parts.Add($"{parameter.NonFiniteCount} NaN/Inf gradient elements");
        }
        else if (!double.IsFinite(parameter.L2Norm) && !LayerMap.IsUnknown(parameter))
        {
            parts.Add($"gradient norm {Numbers.Format(parameter.L2Norm)}");
        }

        if (double.IsInfinity(parameter.UpdateNorm))
        {
            parts.Add($"update norm {Numbers.Format(parameter.UpdateNorm)}");
        }

        if (double.IsInfinity(parameter.ParameterNorm))
        {
            parts.Add($"parameter norm {Numbers.Format(parameter.ParameterNorm)}");
        }

        return $"{name} ({string.Join(", ", parts)})";
    }

    private FindingEvidence Evidence(SeriesState state, StepStatistics statistics, int layer)
    {
        string series = layer switch
        {
            -1 => "loss",
            -2 => "grad_norm/global",
            _ => "grad_norm/" + Map!.Names[layer],
        };
        var values = new Dictionary<string, double>(StringComparer.Ordinal)
        {
            ["step"] = statistics.Step,
            ["loss"] = statistics.Loss,
            ["global_norm"] = statistics.GlobalNorm,
            ["non_finite_count"] = statistics.NonFiniteCount,
            ["recovery_steps"] = _options.RecoverySteps,
        };
        return new FindingEvidence { Series = series, Window = state.Window.ToEvidence(), Values = values };
    }

    private sealed class SeriesState(FindingTracker tracker, int window)
    {
        public FindingTracker Tracker { get; } = tracker;

        public SeriesWindow Window { get; } = new(Math.Min(window, 64));

        public int FiniteRun { get; set; }
    }
}
