using GradDiag.Core.Tests.TestDoubles;

namespace GradDiag.Core.Tests.Monitoring;

public class ParameterFilterTests
{
    [Theory]
    [InlineData("fc1.weight", "fc1.weight", true)]
    [InlineData("fc1.*", "fc1.weight", true)]
    [InlineData("*.weight", "encoder.layer.3.weight", true)]
    [InlineData("encoder.*.weight", "encoder.layer.3.weight", true)]
    [InlineData("encoder.*.weight", "encoder.layer.3.bias", false)]
    [InlineData("fc?.weight", "fc2.weight", true)]
    [InlineData("fc?.weight", "fc12.weight", false)]
    [InlineData("fc1", "fc1.weight", false)]
    [InlineData("*", "", true)]
    [InlineData("a*b*c", "aXbYbZc", true)]
    [InlineData("a*b*c", "aXbYbZ", false)]
    [InlineData("FC1.*", "fc1.weight", false)]
    public void Matches_Glob_WholeName(string pattern, string name, bool expected)
    {
        ParameterNameFilter.Matches(pattern, name).Should().Be(expected);
    }

    [Fact]
    public void Include_OnlyMatchingParametersWritten()
    {
        var writer = new RecordingWriter();
        var options = new GradDiagOptions { HistogramInterval = 1 };
        options.IncludeParameters.Add("fc1.*");
        using var monitor = new GradientMonitor(options, writers: [writer]);
        monitor.DeclareParameters(MonitorTestData.TwoLayers());

        monitor.Observe(1, 0.5, MonitorTestData.Gradients(1));

        writer.ScalarValues("grad_norm/fc1.weight").Should().Equal(5);
        writer.ScalarValues("grad_norm/fc2.weight").Should().BeEmpty();
        writer.Histograms.Select(h => h.Tag).Should().BeEquivalentTo(["grad_hist/fc1.weight", "grad_log10_hist/fc1.weight"]);

        // The global norm still covers both parameters: sqrt(3² + 4² + 3 × 1²).
        writer.ScalarValues("grad_norm_global").Should().Equal(Math.Sqrt(28));
    }

    [Fact]
    public void Exclude_OverridesInclude()
    {
        var writer = new RecordingWriter();
        var options = new GradDiagOptions();
        options.IncludeParameters.Add("fc*");
        options.ExcludeParameters.Add("fc2.*");
        using var monitor = new GradientMonitor(options, writers: [writer]);
        monitor.DeclareParameters(MonitorTestData.TwoLayers());

        monitor.Observe(1, 0.5, MonitorTestData.Gradients(1));

        writer.ScalarValues("grad_norm/fc1.weight").Should().Equal(5);
        writer.ScalarValues("grad_norm/fc2.weight").Should().BeEmpty();
    }

    [Fact]
    public void Excluded_NonFiniteStillGuarded()
    {
        var writer = new RecordingWriter();
        var options = new GradDiagOptions { SkipNonFiniteUpdates = true, ScalarSeries = ScalarSeries.All };
        options.ExcludeParameters.Add("fc2.weight");
        using var monitor = new GradientMonitor(options, writers: [writer]);
        monitor.DeclareParameters(MonitorTestData.TwoLayers());
        Dictionary<string, float[]> gradients = MonitorTestData.Gradients(1);
        gradients["fc2.weight"][0] = float.NaN;

        StepResult result = monitor.Observe(1, 0.5, gradients);

        result.SkipRequested.Should().BeTrue();
        writer.ScalarValues("grad_nonfinite/fc2.weight").Should().BeEmpty();
    }

    [Fact]
    public void Validator_EmptyPattern_NamesTheKey()
    {
        var options = new GradDiagOptions();
        options.ExcludeParameters.Add(" ");

        List<string> failures = GradDiagOptionsValidator.Check(options);

        failures.Should().ContainSingle().Which.Should().Contain("GradDiag:ExcludeParameters:0");
    }
}
