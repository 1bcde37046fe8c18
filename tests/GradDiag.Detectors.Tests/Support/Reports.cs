namespace GradDiag.Detectors.Tests;

/// <summary>Builds reports for formatter tests, by hand or from a trace run through the default detectors.</summary>
public static class Reports
{
    public static RunReport FromTrace(Trace trace)
    {
        IReadOnlyList<IGradientDetector> detectors = DefaultDetectors.Create();
        RecordingContext context = TraceRunner.Run(trace, detectors);
        var layers = trace.Parameters.Select(p => new LayerSummary
        {
            Name = p.Name,
            Layer = p.Layer,
            Depth = p.Depth,
            Steps = trace.Steps.Count,
            FirstNorm = trace.Steps[0].Parameters[trace.Parameters.GetIndex(p.Name)].L2Norm,
            LastNorm = trace.Steps[^1].Parameters[trace.Parameters.GetIndex(p.Name)].L2Norm,
        }).ToList();
        return new RunReport
        {
            Run = trace.Name,
            CreatedAt = new DateTimeOffset(2026, 12, 4, 12, 0, 0, TimeSpan.Zero),
            FirstStep = trace.Steps[0].Step,
            LastStep = trace.Steps[^1].Step,
            StepsObserved = trace.Steps.Count,
            Findings = TraceRunner.Findings(detectors).OrderBy(f => f.FirstStep).ToList(),
            Observations = context.Observations.ToList(),
            Layers = layers,
        };
    }

    public static Finding Finding(string id, Severity severity, string message = "message", string detector = "exploding", string? layer = "fc1", long? closedAt = null) => new()
    {
        Id = id,
        Detector = detector,
        Kind = new FindingKind(detector),
        Severity = severity,
        Message = message,
        Layers = layer is null ? [] : [layer],
        Parameters = layer is null ? [] : [layer + ".weight"],
        FirstStep = 10,
        LastStep = 20,
        ClosedAtStep = closedAt,
        Evidence = new FindingEvidence
        {
            Series = "grad_norm/" + layer,
            Window = [new EvidencePoint(10, 1.5), new EvidencePoint(11, double.PositiveInfinity), new EvidencePoint(12, double.NaN)],
            Values = new Dictionary<string, double> { ["baseline"] = 0.5, ["threshold"] = 5, ["slope_log10_per_step"] = double.NaN, ["absolute_ceiling"] = double.PositiveInfinity },
        },
        Remedy = "Lower the learning rate.",
    };

    public static RunReport Sample(params Finding[] findings) => new()
    {
        Run = "runs/sample",
        CreatedAt = new DateTimeOffset(2026, 12, 4, 12, 0, 0, TimeSpan.Zero),
        FirstStep = 0,
        LastStep = 99,
        StepsObserved = 100,
        Findings = findings,
        Observations = [Finding("exploding:spike@37", Severity.Information, "spike", closedAt: 38) with { Kind = FindingKind.Spike }],
        Layers =
        [
            new LayerSummary { Name = "fc0.weight", Layer = "fc0", Depth = 0, Steps = 100, FirstNorm = 0.5, LastNorm = 0.4, MinNorm = 0.3, MaxNorm = 12, MedianNorm = 0.45 },
            new LayerSummary { Name = "fc1.weight", Layer = "fc1", Depth = 1, Steps = 100, FirstNorm = 0.6, LastNorm = double.PositiveInfinity, NonFiniteSteps = 3, WorstSeverity = Severity.Error },
        ],
    };
}
