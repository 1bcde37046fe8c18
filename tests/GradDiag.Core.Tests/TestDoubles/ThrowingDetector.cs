namespace GradDiag.Core.Tests.TestDoubles;

/// <summary>A detector whose Observe throws, to test isolation.</summary>
public sealed class ThrowingDetector : IGradientDetector
{
    public string Name => "throwing";

    public int Calls { get; private set; }

    public IReadOnlyList<Finding> Findings => [];

    public void Observe(StepStatistics statistics, IDetectorContext context)
    {
        Calls++;
        throw new InvalidOperationException("detector bug");
    }

    public void Complete(IDetectorContext context)
    {
    }

    public void Reset()
    {
    }
}
