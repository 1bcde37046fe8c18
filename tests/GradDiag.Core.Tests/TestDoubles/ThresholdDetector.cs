namespace GradDiag.Core.Tests.TestDoubles;

/// <summary>
/// Opens a finding while the global norm is above a threshold and closes it when the norm drops. It reports a
/// one-off observation when the loss is exactly 42 and records the steps it observed.
/// </summary>
public sealed class ThresholdDetector(double threshold, string name = "threshold", string? parameter = null) : IGradientDetector
{
    private readonly List<Finding> _findings = [];
    private Finding? _open;

    public string Name { get; } = name;

    public List<long> Steps { get; } = [];

    public List<double> UpdateNorms { get; } = [];

    public bool RequestSkipWhenOpen { get; set; }

    public bool Completed { get; private set; }

    public IReadOnlyList<Finding> Findings => _findings;

    public void Observe(StepStatistics statistics, IDetectorContext context)
    {
        Steps.Add(statistics.Step);
        UpdateNorms.Add(statistics.PerParameter.Length > 0 ? statistics.PerParameter[0].UpdateNorm : double.NaN);
        if (statistics.Loss == 42)
        {
            var spike = new Finding
            {
                Id = $"{Name}:spike:{statistics.Step}",
                Detector = Name,
                Kind = FindingKind.Spike,
                Severity = Severity.Information,
                Message = "loss is 42",
                FirstStep = statistics.Step,
                LastStep = statistics.Step,
                ClosedAtStep = statistics.Step,
            };
            context.Report(new FindingEvent(FindingEventKind.Observed, spike, statistics.Step));
        }

        bool above = statistics.GlobalNorm > threshold;
        if (above && _open is null)
        {
            _open = new Finding
            {
                Id = $"{Name}:global",
                Detector = Name,
                Kind = FindingKind.Exploding,
                Severity = Severity.Error,
                Message = $"global norm {statistics.GlobalNorm} above {threshold}",
                Parameters = parameter is null ? [] : [parameter],
                FirstStep = statistics.Step,
                LastStep = statistics.Step,
            };
            _findings.Add(_open);
            context.Report(new FindingEvent(FindingEventKind.Opened, _open, statistics.Step));
        }
        else if (!above && _open is not null)
        {
            Finding closed = _open with { ClosedAtStep = statistics.Step };
            _findings[^1] = closed;
            _open = null;
            context.Report(new FindingEvent(FindingEventKind.Closed, closed, statistics.Step));
        }

        if (_open is not null && RequestSkipWhenOpen)
        {
            context.RequestSkipUpdate("norm above threshold");
        }
    }

    public void Complete(IDetectorContext context) => Completed = true;

    public void Reset()
    {
        _findings.Clear();
        _open = null;
        Steps.Clear();
    }
}
