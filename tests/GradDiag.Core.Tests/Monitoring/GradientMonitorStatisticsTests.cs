using GradDiag.Core.Tests.TestDoubles;

namespace GradDiag.Core.Tests.Monitoring;

public class GradientMonitorStatisticsTests
{
    [Fact]
    public void Observe_Dictionary_ComputesPerParameterStatistics()
    {
        var detector = new CapturingDetector();
        using var monitor = new GradientMonitor(detectors: [detector]);
        monitor.DeclareParameters(MonitorTestData.TwoLayers());

        StepResult result = monitor.Observe(1, 0.5, MonitorTestData.Gradients(1), MonitorTestData.Weights(), learningRate: 0.01);

        ParameterStatistics fc1 = detector.Last[0];
        fc1.L2Norm.Should().Be(5);
        fc1.Rms.Should().Be(2.5);
        fc1.Mean.Should().Be(1.75);
        fc1.MaxAbs.Should().Be(4);
        fc1.ZeroFraction.Should().Be(0.5);
        fc1.NonFiniteCount.Should().Be(0);
        fc1.ParameterNorm.Should().Be(2);
        fc1.GradientToParameterRatio.Should().Be(2.5);
        fc1.UpdateNorm.Should().Be(double.NaN);
        result.GlobalNorm.Should().BeApproximately(Math.Sqrt(25 + 3), 1e-12);
        result.Observed.Should().BeTrue();
        detector.LastLoss.Should().Be(0.5);
        detector.LastLearningRate.Should().Be(0.01);
    }

    [Fact]
    public void Observe_DeviceStatistics_MatchHostValues()
    {
        ParameterSet parameters = MonitorTestData.TwoLayers();
        var hostDetector = new CapturingDetector();
        var deviceDetector = new CapturingDetector();
        using var hostMonitor = new GradientMonitor(detectors: [hostDetector]);
        using var deviceMonitor = new GradientMonitor(detectors: [deviceDetector]);
        var host = new GradientSnapshot(parameters);
        var device = new GradientSnapshot(parameters);
        host.Reset(3);
        device.Reset(3);
        foreach ((string name, float[] gradient) in MonitorTestData.Gradients(0.5f))
        {
            int index = parameters.GetIndex(name);
            float[] weights = MonitorTestData.Weights()[name];
            host.SetGradient(index, gradient);
            host.SetParameterValues(index, weights);
            host.SetUpdateSumOfSquares(index, 0.25);
            device.SetDeviceStatistics(index, TensorStatisticsKernel.Compute(gradient), TensorStatisticsKernel.Compute(weights).SumOfSquares);
            device.SetUpdateSumOfSquares(index, 0.25);
        }

        hostMonitor.Observe(host);
        deviceMonitor.Observe(device);

        deviceDetector.Last.Should().Equal(hostDetector.Last);
        deviceDetector.Last[1].UpdateToParameterRatio.Should().Be(0.25);
    }

    [Fact]
    public void Observe_NonFiniteGradient_CountsElements()
    {
        var detector = new CapturingDetector();
        using var monitor = new GradientMonitor(detectors: [detector]);
        monitor.DeclareParameters(MonitorTestData.TwoLayers());
        Dictionary<string, float[]> gradients = MonitorTestData.Gradients(1);
        gradients["fc1.weight"][2] = float.NaN;

        monitor.Observe(1, 1, gradients);

        detector.Last[0].NonFiniteCount.Should().Be(1);
        detector.Last[0].L2Norm.Should().Be(5);
        detector.Last[0].HasNonFinite.Should().BeTrue();
        detector.LastNonFiniteCount.Should().Be(1);
    }

    [Fact]
    public void Observe_MissingParameter_IsUnknown()
    {
        var detector = new CapturingDetector();
        using var monitor = new GradientMonitor(detectors: [detector]);
        monitor.DeclareParameters(MonitorTestData.TwoLayers());

        monitor.Observe(1, 1, new Dictionary<string, float[]> { ["fc2.weight"] = [1, 1, 1] });

        detector.Last[0].Should().Be(ParameterStatistics.Unknown);
        detector.Last[1].L2Norm.Should().BeApproximately(Math.Sqrt(3), 1e-12);
    }

    [Fact]
    public void Observe_UndeclaredDictionary_DeclaresInOrder()
    {
        using var monitor = new GradientMonitor();

        monitor.Observe(0, 1, new Dictionary<string, float[]> { ["a"] = [1, 2], ["b"] = [3] });

        monitor.Parameters!.Select(p => p.Name).Should().Equal("a", "b");
        monitor.Parameters![1].Depth.Should().Be(1);
        monitor.Parameters![0].ElementCount.Should().Be(2);
    }

    [Fact]
    public void Observe_UnknownName_Throws()
    {
        using var monitor = new GradientMonitor();
        monitor.DeclareParameters(MonitorTestData.TwoLayers());
        Dictionary<string, float[]> gradients = MonitorTestData.Gradients(1);
        gradients["fc3.weight"] = [1];

        Action observe = () => monitor.Observe(1, 1, gradients);

        observe.Should().Throw<ArgumentException>().WithParameterName("gradients").WithMessage("*'fc3.weight'*");
    }

    [Fact]
    public void Observe_WrongLength_ThrowsNamingParameter()
    {
        using var monitor = new GradientMonitor();
        monitor.DeclareParameters(MonitorTestData.TwoLayers());
        Dictionary<string, float[]> gradients = MonitorTestData.Gradients(1);
        gradients["fc2.weight"] = [1, 2];

        Action observe = () => monitor.Observe(1, 1, gradients);

        observe.Should().Throw<ArgumentException>().WithMessage("*'fc2.weight'*2 elements*[3]*");
    }

    [Fact]
    public void Observe_NullArray_Throws()
    {
        using var monitor = new GradientMonitor();
        monitor.DeclareParameters(MonitorTestData.TwoLayers());
        Dictionary<string, float[]> gradients = MonitorTestData.Gradients(1);
        gradients["fc2.weight"] = null!;

        Action observe = () => monitor.Observe(1, 1, gradients);

        observe.Should().Throw<ArgumentException>().WithMessage("*'fc2.weight'*null*");
    }

    [Fact]
    public void DeclareParameters_DifferentSet_Throws()
    {
        using var monitor = new GradientMonitor();
        monitor.DeclareParameters(MonitorTestData.TwoLayers());

        Action declare = () => monitor.DeclareParameters(new ParameterSet([new ParameterDescriptor("other", [1], 0)]));

        declare.Should().Throw<InvalidOperationException>().WithMessage("*fc1.weight*other*");
    }

    [Fact]
    public void Observe_SnapshotOfOtherModel_Throws()
    {
        using var monitor = new GradientMonitor();
        monitor.DeclareParameters(MonitorTestData.TwoLayers());
        var snapshot = new GradientSnapshot(new ParameterSet([new ParameterDescriptor("other", [1], 0)]));

        Action observe = () => monitor.Observe(snapshot);

        observe.Should().Throw<ArgumentException>().WithParameterName("snapshot");
    }

    [Fact]
    public void Observe_OfflineStatistics_ComputesGlobalNorm()
    {
        var detector = new CapturingDetector();
        using var monitor = new GradientMonitor(detectors: [detector]);
        var statistics = new StepStatistics(MonitorTestData.TwoLayers());
        statistics.Reset(10);
        statistics.Set(0, ParameterStatistics.FromNorm(3));
        statistics.Set(1, ParameterStatistics.FromNorm(4));

        StepResult result = monitor.Observe(statistics);

        result.GlobalNorm.Should().Be(5);
        detector.LastGlobalNorm.Should().Be(5);
        detector.LastNonFiniteCount.Should().Be(0);
    }

    [Fact]
    public void Observe_OfflineInfiniteNorm_IsLeftOut()
    {
        using var monitor = new GradientMonitor();
        var statistics = new StepStatistics(MonitorTestData.TwoLayers());
        statistics.Reset(10);
        statistics.Set(0, ParameterStatistics.FromNorm(double.PositiveInfinity));
        statistics.Set(1, ParameterStatistics.FromNorm(4));

        StepResult result = monitor.Observe(statistics);

        result.GlobalNorm.Should().Be(4);
    }

    [Fact]
    public void Observe_OfflineGlobalNormGiven_KeepsIt()
    {
        using var monitor = new GradientMonitor();
        var statistics = new StepStatistics(MonitorTestData.TwoLayers()) { GlobalNorm = 9 };
        statistics.Set(0, ParameterStatistics.FromNorm(3));

        monitor.Observe(statistics).GlobalNorm.Should().Be(9);
    }

    /// <summary>Copies what it observes, as the detector contract requires.</summary>
    [Fact]
    public void Observe_ParallelHistogramStep_MatchesSerial()
    {
        int[] sizes = [70_000, 3, 40_000, 500, 1];
        var parameters = new ParameterSet(sizes.Select((size, i) => new ParameterDescriptor($"p{i}", [size], i)));
        var snapshot = new GradientSnapshot(parameters);
        snapshot.Reset(0);
        var random = new Random(5);
        for (int i = 0; i < sizes.Length; i++)
        {
            float scale = MathF.Pow(10, -i);
            float[] gradient = [.. Enumerable.Range(0, sizes[i]).Select(_ => scale * (float)(random.NextDouble() - 0.5))];
            float[] weights = [.. Enumerable.Range(0, sizes[i]).Select(_ => (float)random.NextDouble())];
            snapshot.SetGradient(i, gradient);
            snapshot.SetParameterValues(i, weights);
        }

        var serialWriter = new RecordingWriter();
        var parallelWriter = new RecordingWriter();
        var serialDetector = new CapturingDetector();
        var parallelDetector = new CapturingDetector();
        using var serial = new GradientMonitor(new GradDiagOptions { HistogramThreads = 1 }, [serialWriter], [serialDetector]);
        using var parallel = new GradientMonitor(new GradDiagOptions { HistogramThreads = 4 }, [parallelWriter], [parallelDetector]);

        serial.Observe(snapshot);
        parallel.Observe(snapshot);

        parallelDetector.Last.Should().Equal(serialDetector.Last);
        parallelDetector.LastGlobalNorm.Should().Be(serialDetector.LastGlobalNorm);
        parallelWriter.Histograms.Select(h => (h.Tag, h.Count)).Should().Equal(serialWriter.Histograms.Select(h => (h.Tag, h.Count)));
        for (int i = 0; i < sizes.Length; i++)
        {
            var histogram = parallelWriter.Histograms.Single(h => h.Tag == $"grad_hist/p{i}");
            histogram.Count.Should().Be(sizes[i], $"p{i} has {sizes[i]} elements");
            histogram.Counts.Should().Equal(serialWriter.Histograms.Single(h => h.Tag == $"grad_hist/p{i}").Counts);
        }
    }

    private sealed class CapturingDetector : IGradientDetector
    {
        public string Name => "capturing";

        public ParameterStatistics[] Last { get; private set; } = [];

        public double LastLoss { get; private set; }

        public double LastLearningRate { get; private set; }

        public double LastGlobalNorm { get; private set; }

        public long LastNonFiniteCount { get; private set; }

        public IReadOnlyList<Finding> Findings => [];

        public void Observe(StepStatistics statistics, IDetectorContext context)
        {
            Last = statistics.PerParameter.ToArray();
            LastLoss = statistics.Loss;
            LastLearningRate = statistics.LearningRate;
            LastGlobalNorm = statistics.GlobalNorm;
            LastNonFiniteCount = statistics.NonFiniteCount;
        }

        public void Complete(IDetectorContext context)
        {
        }

        public void Reset()
        {
        }
    }
}
