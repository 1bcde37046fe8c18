namespace GradDiag.Detectors;

/// <summary>
/// The shared skeleton of the built-in detectors: argument checks, the defensive step-order check, the layer
/// map and the findings list. Subclasses implement the per-step rule.
/// </summary>
internal abstract class LayerDetector : IGradientDetector
{
    private long _lastStep;
    private bool _started;

    protected LayerDetector(string name)
    {
        Name = name;
        Book = new FindingBook(name);
    }

    public string Name { get; }

    public IReadOnlyList<Finding> Findings => Book.Findings;

    protected FindingBook Book { get; }

    protected LayerMap? Map { get; private set; }

    public void Observe(StepStatistics statistics, IDetectorContext context)
    {
        ArgumentNullException.ThrowIfNull(statistics);
        ArgumentNullException.ThrowIfNull(context);

        // The monitor drops non-increasing steps already; a detector fed directly must not rewind its windows either.
        if (_started && statistics.Step <= _lastStep)
        {
            return;
        }

        _started = true;
        _lastStep = statistics.Step;
        LayerMap map = LayerMap.For(statistics.Parameters, Map, out bool changed);
        if (changed)
        {
            // The old layers' state cannot carry over, so their open findings end here.
            if (Map is not null)
            {
                Book.CloseAll(statistics.Step, context);
            }

            Map = map;
            OnLayersChanged(map);
        }

        ObserveCore(statistics, context);
    }

    public void Complete(IDetectorContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        Book.Complete();
    }

    public void Reset()
    {
        Book.Clear();
        Map = null;
        _started = false;
        _lastStep = 0;
    }

    /// <summary>Builds per-layer state for a new parameter set; state of the previous set is dropped.</summary>
    protected abstract void OnLayersChanged(LayerMap map);

    protected abstract void ObserveCore(StepStatistics statistics, IDetectorContext context);

    protected static string FindingKey(string detector, string series) => detector + ":" + series;
}
