using System.Diagnostics.Metrics;
using GradDiag.Core.Tests.TestDoubles;

namespace GradDiag.Core.Tests.Monitoring;

public class GradientMonitorMetricsTests
{
    [Fact]
    public void Observe_WithListener_RecordsNormsAndFindings()
    {
        var measurements = new List<(string Instrument, double Value, Dictionary<string, object?> Tags)>();
        using var meterFactory = new ScopedMeterFactory();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            // Other tests create monitors in parallel; the scope picks this test's meter only.
            if (instrument.Meter.Name == "GradDiag" && ReferenceEquals(instrument.Meter.Scope, meterFactory))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) =>
            measurements.Add((instrument.Name, value, ToDictionary(tags))));
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
            measurements.Add((instrument.Name, value, ToDictionary(tags))));
        listener.Start();

        var monitor = new GradientMonitor(detectors: [new ThresholdDetector(10)], meterFactory: meterFactory);
        monitor.DeclareParameters(MonitorTestData.TwoLayers());
        monitor.Observe(1, 1, MonitorTestData.Gradients(100));
        monitor.Dispose();

        measurements.Should().Contain(m => m.Instrument == "graddiag.gradient.global_norm");
        measurements.Where(m => m.Instrument == "graddiag.gradient.norm").Select(m => m.Tags["parameter"])
            .Should().BeEquivalentTo(["fc1.weight", "fc2.weight"]);
        var finding = measurements.Single(m => m.Instrument == "graddiag.findings");
        finding.Tags["kind"].Should().Be("exploding");
        finding.Tags["severity"].Should().Be("error");
    }

    private sealed class ScopedMeterFactory : IMeterFactory
    {
        private readonly List<Meter> _meters = [];

        public Meter Create(MeterOptions options)
        {
            var meter = new Meter(options.Name, options.Version, options.Tags, scope: this);
            _meters.Add(meter);
            return meter;
        }

        public void Dispose() => _meters.ForEach(m => m.Dispose());
    }

    private static Dictionary<string, object?> ToDictionary(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var dictionary = new Dictionary<string, object?>();
        foreach (KeyValuePair<string, object?> tag in tags)
        {
            dictionary[tag.Key] = tag.Value;
        }

        return dictionary;
    }
}
