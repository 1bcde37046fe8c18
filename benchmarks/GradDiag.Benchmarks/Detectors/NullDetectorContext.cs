namespace GradDiag.Benchmarks.Detectors;

/// <summary>A detector context that counts events and drops them, so benchmarks measure the detectors alone.</summary>
internal sealed class NullDetectorContext : IDetectorContext
{
    public int Events { get; private set; }

    public List<Finding> Observations { get; } = [];

    public void Report(in FindingEvent findingEvent)
    {
        Events++;
        if (findingEvent.Kind == FindingEventKind.Observed)
        {
            Observations.Add(findingEvent.Finding);
        }
    }

    public void RequestSkipUpdate(string reason)
    {
    }
}
