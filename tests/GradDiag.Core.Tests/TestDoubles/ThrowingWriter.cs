namespace GradDiag.Core.Tests.TestDoubles;

/// <summary>A summary writer whose scalar writes throw, to test isolation.</summary>
public sealed class ThrowingWriter : ISummaryWriter
{
    public string Name => "throwing";

    public Exception? Fault => null;

    public int Calls { get; private set; }

    public void WriteScalar(string tag, long step, double value)
    {
        Calls++;
        throw new IOException("disk full");
    }

    public void WriteHistogram(string tag, long step, HistogramData histogram) => Calls++;

    public void WriteText(string tag, long step, string text) => Calls++;

    public void WriteHyperparameters(IReadOnlyDictionary<string, object> hyperparameters)
    {
    }

    public ValueTask FlushAsync(CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
