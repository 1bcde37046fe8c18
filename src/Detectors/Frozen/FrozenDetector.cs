namespace GradDiag.Detectors;

/// <summary>
/// Reports each layer whose parameters are all non-trainable as an information finding that opens at the first
/// observed step and stays open, so that a frozen layer with a zero gradient is not mistaken for a vanishing one.
/// </summary>
internal sealed class FrozenDetector : LayerDetector
{
    private FindingTracker?[] _trackers = [];

    public FrozenDetector(FrozenDetectorOptions options)
        : base(options.Name)
    {
    }

    protected override void OnLayersChanged(LayerMap map)
    {
        _trackers = new FindingTracker?[map.Count];
        for (int i = 0; i < map.Count; i++)
        {
            if (!map.IsTrainable[i])
            {
                _trackers[i] = new FindingTracker(FindingKey(Name, map.Names[i]), [map.Names[i]], map.ParameterNames[i]);
            }
        }
    }

    protected override void ObserveCore(StepStatistics statistics, IDetectorContext context)
    {
        for (int layer = 0; layer < _trackers.Length; layer++)
        {
            FindingTracker? tracker = _trackers[layer];
            if (tracker is null)
            {
                continue;
            }

            tracker.LastStep = statistics.Step;
            if (tracker.Occurrences == 0)
            {
                Open(tracker, layer, statistics, context);
            }
        }
    }

    private void Open(FindingTracker tracker, int layer, StepStatistics statistics, IDetectorContext context)
    {
        LayerMap map = Map!;
        double sum = 0;
        bool known = false;
        ReadOnlySpan<ParameterStatistics> perParameter = statistics.PerParameter;
        for (int i = 0; i < perParameter.Length; i++)
        {
            if (map.LayerOf(i) == layer && !LayerMap.IsUnknown(perParameter[i]))
            {
                known = true;
                sum += perParameter[i].L2Norm * perParameter[i].L2Norm;
            }
        }

        double norm = known ? Math.Sqrt(sum) : double.NaN;
        string name = map.Names[layer];
        int count = map.ParameterNames[layer].Count;
        string gradient = norm > 0
            ? $" Its gradient is still computed (norm {Numbers.Format(norm)}); excluding it from the backward pass would save time."
            : string.Empty;
        string message = $"Layer '{name}' is frozen: its {count} parameter{(count == 1 ? string.Empty : "s")} ({string.Join(", ", map.ParameterNames[layer])}) {(count == 1 ? "is" : "are")} not trainable and receive{(count == 1 ? "s" : string.Empty)} no update.{gradient}";
        var evidence = new FindingEvidence
        {
            Series = "grad_norm/" + name,
            Window = known ? [new EvidencePoint(statistics.Step, norm)] : [],
            Values = new Dictionary<string, double>(StringComparer.Ordinal)
            {
                ["parameter_count"] = count,
                ["gradient_norm"] = norm,
            },
        };
        Book.Open(tracker, FindingKind.Frozen, statistics.Step, statistics.Step, Severity.Information, message, evidence, FrozenDetectorConstants.Remedy, context);
    }
}
