namespace GradDiag.Detectors.Tests;

public class AllocationTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Observe_DefaultDetectorsSteadyState_DoesNotAllocate(bool live)
    {
        var steps = new Steps(layers: 12, trainable: i => i != 0);
        // An array, not the returned list: enumerating an IReadOnlyList allocates an enumerator in the test itself.
        IGradientDetector[] detectors = [.. DefaultDetectors.Create()];
        var random = new Random(3);
        var table = new ParameterStatistics[64][];
        for (int row = 0; row < table.Length; row++)
        {
            table[row] = new ParameterStatistics[steps.Parameters.Count];
            for (int i = 0; i < table[row].Length; i++)
            {
                double norm = 0.5 * TraceGenerator.Noise(random, 0.15);
                table[row][i] = live ? TraceGenerator.Stats(norm, 10, 1e-2 * TraceGenerator.Noise(random, 0.15), 0.3) : ParameterStatistics.FromNorm(norm);
            }
        }

        for (int step = 0; step < 300; step++)
        {
            Fill(steps.Statistics, step, table);
            foreach (IGradientDetector detector in detectors)
            {
                detector.Observe(steps.Statistics, steps.Context);
            }
        }

        int events = steps.Context.Events.Count;
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int step = 300; step < 600; step++)
        {
            Fill(steps.Statistics, step, table);
            foreach (IGradientDetector detector in detectors)
            {
                detector.Observe(steps.Statistics, steps.Context);
            }
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        steps.Context.Events.Count.Should().Be(events, "no finding may change in steady state");
        allocated.Should().Be(0);
    }

    private static void Fill(StepStatistics statistics, long step, ParameterStatistics[][] table)
    {
        statistics.Reset(step);
        statistics.Loss = 2.0 / (1 + (step / 100.0));
        statistics.LearningRate = 1e-3;
        ParameterStatistics[] row = table[step % table.Length];
        for (int i = 0; i < row.Length; i++)
        {
            statistics.Set(i, row[i]);
        }
    }
}
