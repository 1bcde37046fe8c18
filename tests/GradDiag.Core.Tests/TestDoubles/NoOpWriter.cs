namespace GradDiag.Core.Tests.TestDoubles;

/// <summary>A summary writer that drops every record; it lets allocation tests run the whole writer path.</summary>
public sealed class NoOpWriter : ISummaryWriter
{
    public string Name => "no-op";

    public Exception? Fault => null;

    public long Writes { get; private set; }

    public void WriteScalar(string tag, long step, double value) => Writes++;

    public void WriteHistogram(string tag, long step, HistogramData histogram) => Writes++;

    public void WriteText(string tag, long step, string text) => Writes++;

    public void WriteHyperparameters(IReadOnlyDictionary<string, object> hyperparameters)
    {
    }

    public ValueTask FlushAsync(CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
