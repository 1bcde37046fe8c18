namespace GradDiag.Core.Tests.TestDoubles;

/// <summary>A summary writer that keeps every record in memory, copying histograms as the contract requires.</summary>
public sealed class RecordingWriter(string name = "recording") : ISummaryWriter
{
    public string Name { get; } = name;

    public Exception? Fault { get; set; }

    public List<(string Tag, long Step, double Value)> Scalars { get; } = [];

    public List<(string Tag, long Step, double[] Limits, double[] Counts, double Count)> Histograms { get; } = [];

    public List<(string Tag, long Step, string Text)> Texts { get; } = [];

    public int FlushCount { get; private set; }

    public int DisposeCount { get; private set; }

    public void WriteScalar(string tag, long step, double value) => Scalars.Add((tag, step, value));

    public void WriteHistogram(string tag, long step, HistogramData histogram) => Histograms.Add(
        (tag, step, histogram.BucketLimits[..histogram.BucketCount], histogram.BucketCounts[..histogram.BucketCount], histogram.Count));

    public void WriteText(string tag, long step, string text) => Texts.Add((tag, step, text));

    public void WriteHyperparameters(IReadOnlyDictionary<string, object> hyperparameters)
    {
    }

    public ValueTask FlushAsync(CancellationToken cancellationToken = default)
    {
        FlushCount++;
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync()
    {
        DisposeCount++;
        return ValueTask.CompletedTask;
    }

    public double[] ScalarValues(string tag) => Scalars.Where(s => s.Tag == tag).Select(s => s.Value).ToArray();

    public long[] ScalarSteps(string tag) => Scalars.Where(s => s.Tag == tag).Select(s => s.Step).ToArray();
}
