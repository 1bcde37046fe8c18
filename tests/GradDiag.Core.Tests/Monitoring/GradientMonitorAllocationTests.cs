using GradDiag.Core.Tests.TestDoubles;

namespace GradDiag.Core.Tests.Monitoring;

public class GradientMonitorAllocationTests
{
    private const int ParameterCount = 100;

    [Fact]
    public void Observe_DeviceStatisticsNoWriters_AllocatesNothing()
    {
        using var monitor = new GradientMonitor();

        long allocated = MeasureSteadyState(monitor);

        allocated.Should().Be(0);
    }

    [Fact]
    public void Observe_DeviceStatisticsNoOpWriter_AllocatesNothing()
    {
        var writer = new NoOpWriter();
        using var monitor = new GradientMonitor(new GradDiagOptions { ScalarSeries = ScalarSeries.All }, writers: [writer]);

        long allocated = MeasureSteadyState(monitor);

        allocated.Should().Be(0);
        writer.Writes.Should().BeGreaterThan(1000 * ParameterCount);
    }

    [Fact]
    public void Observe_QuietDetector_AllocatesNothing()
    {
        using var monitor = new GradientMonitor(detectors: [new QuietDetector()]);

        long allocated = MeasureSteadyState(monitor);

        allocated.Should().Be(0);
    }

    /// <summary>Warms the monitor up, then returns the bytes this thread allocates over 1000 more steps.</summary>
    private static long MeasureSteadyState(GradientMonitor monitor)
    {
        var parameters = new ParameterSet(Enumerable.Range(0, ParameterCount)
            .Select(i => new ParameterDescriptor($"layer{i}.weight", [64, 64], i)));
        var snapshot = new GradientSnapshot(parameters);
        var gradient = new TensorStatistics(64 * 64, 2.5, 0.1, 0.3, 0, 17);
        long step = 0;

        void RunSteps(int count)
        {
            for (int s = 0; s < count; s++)
            {
                snapshot.Reset(step++);
                snapshot.Loss = 1;
                snapshot.LearningRate = 0.01;
                for (int i = 0; i < ParameterCount; i++)
                {
                    snapshot.SetDeviceStatistics(i, gradient, 100);
                    snapshot.SetUpdateSumOfSquares(i, 0.01);
                }

                monitor.Observe(snapshot);
            }
        }

        RunSteps(200);
        long before = GC.GetAllocatedBytesForCurrentThread();
        RunSteps(1000);
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    private sealed class QuietDetector : IGradientDetector
    {
        private double _sum;

        public string Name => "quiet";

        public IReadOnlyList<Finding> Findings => [];

        public void Observe(StepStatistics statistics, IDetectorContext context) => _sum += statistics.GlobalNorm;

        public void Complete(IDetectorContext context)
        {
        }

        public void Reset() => _sum = 0;
    }
}
