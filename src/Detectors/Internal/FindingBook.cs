namespace GradDiag.Detectors;

/// <summary>
/// The findings of one detector: opens and closes them, reports each change to the context, and keeps the
/// latest state of each in order of opening.
/// </summary>
internal sealed class FindingBook
{
    private readonly List<Finding> _findings = [];
    private readonly List<FindingTracker> _open = [];

    public FindingBook(string detector)
    {
        Detector = detector;
    }

    public string Detector { get; }

    public IReadOnlyList<Finding> Findings => _findings;

    public void Open(FindingTracker tracker, FindingKind kind, long firstStep, long step, Severity severity, string message, FindingEvidence evidence, string remedy, IDetectorContext context)
    {
        tracker.Occurrences++;
        string id = tracker.Occurrences == 1 ? tracker.Key : $"{tracker.Key}#{tracker.Occurrences}";
        var finding = new Finding
        {
            Id = id,
            Detector = Detector,
            Kind = kind,
            Severity = severity,
            Message = message,
            Parameters = tracker.Parameters,
            Layers = tracker.Layers,
            FirstStep = firstStep,
            LastStep = step,
            Evidence = evidence,
            Remedy = remedy,
        };
        tracker.IsOpen = true;
        tracker.LastStep = step;
        tracker.Current = finding;
        tracker.Index = _findings.Count;
        _findings.Add(finding);
        _open.Add(tracker);
        context.Report(new FindingEvent(FindingEventKind.Opened, finding, step));
    }

    /// <summary>Closes an open finding at <paramref name="step"/>, keeping its opening message and adding the closing evidence.</summary>
    public void Close(FindingTracker tracker, long step, FindingEvidence? evidence, IDetectorContext context)
    {
        Finding finding = tracker.Current! with
        {
            LastStep = tracker.LastStep,
            ClosedAtStep = step,
            Evidence = evidence ?? tracker.Current!.Evidence,
        };
        tracker.IsOpen = false;
        tracker.Current = finding;
        _findings[tracker.Index] = finding;
        _open.Remove(tracker);
        context.Report(new FindingEvent(FindingEventKind.Closed, finding, step));
    }

    /// <summary>Publishes the last step of each finding that is still open, without reporting an event.</summary>
    public void Complete()
    {
        foreach (FindingTracker tracker in _open)
        {
            if (tracker.Current!.LastStep != tracker.LastStep)
            {
                tracker.Current = tracker.Current with { LastStep = tracker.LastStep };
                _findings[tracker.Index] = tracker.Current;
            }
        }
    }

    /// <summary>Closes every open finding at <paramref name="step"/>, for example when the parameter set changes.</summary>
    public void CloseAll(long step, IDetectorContext context)
    {
        foreach (FindingTracker tracker in _open.ToArray())
        {
            Close(tracker, step, null, context);
        }
    }

    public void Clear()
    {
        _findings.Clear();
        _open.Clear();
    }
}
