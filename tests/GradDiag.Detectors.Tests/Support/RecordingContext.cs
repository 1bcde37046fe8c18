namespace GradDiag.Detectors.Tests;

/// <summary>A detector context that records every event and skip request.</summary>
public sealed class RecordingContext : IDetectorContext
{
    public List<FindingEvent> Events { get; } = [];

    public List<(long Step, string Reason)> SkipRequests { get; } = [];

    public long CurrentStep { get; set; }

    public IEnumerable<Finding> Observations => Events.Where(e => e.Kind == FindingEventKind.Observed).Select(e => e.Finding);

    public void Report(in FindingEvent findingEvent) => Events.Add(findingEvent);

    public void RequestSkipUpdate(string reason) => SkipRequests.Add((CurrentStep, reason));
}
