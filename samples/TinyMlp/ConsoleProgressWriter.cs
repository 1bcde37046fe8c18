namespace GradDiag.Samples.TinyMlp;

/// <summary>
/// A small summary writer: it keeps the loss and global norm it receives and prints one progress line every
/// few steps. It shows the <see cref="ISummaryWriter"/> contract without any file format.
/// </summary>
/// <remarks>
/// A real writer queues records and writes them on a background task; this one prints short lines directly,
/// which is fast enough for a sample. It reports I/O errors through <see cref="Fault"/> instead of throwing.
/// </remarks>
public sealed class ConsoleProgressWriter : ISummaryWriter
{
    private readonly TextWriter _output;
    private readonly int _printInterval;
    private double _loss = double.NaN;
    private double _globalNorm = double.NaN;
    private long _step = -1;

    /// <summary>Creates a writer that prints to <paramref name="output"/> every <paramref name="printInterval"/> steps.</summary>
    public ConsoleProgressWriter(TextWriter output, int printInterval)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentOutOfRangeException.ThrowIfLessThan(printInterval, 1);
        _output = output;
        _printInterval = printInterval;
    }

    /// <inheritdoc/>
    public string Name => "console-progress";

    /// <inheritdoc/>
    public Exception? Fault { get; private set; }

    /// <summary>Gets the number of histograms received.</summary>
    public int HistogramCount { get; private set; }

    /// <inheritdoc/>
    public void WriteScalar(string tag, long step, double value)
    {
        if (step != _step)
        {
            PrintPending();
            _step = step;
        }

        if (tag == SummaryTags.Loss)
        {
            _loss = value;
        }
        else if (tag == SummaryTags.GlobalNorm)
        {
            _globalNorm = value;
        }
    }

    /// <inheritdoc/>
    public void WriteHistogram(string tag, long step, HistogramData histogram) => HistogramCount++;

    /// <inheritdoc/>
    public void WriteText(string tag, long step, string text)
    {
        if (tag == SummaryTags.Findings)
        {
            Print($"step {step,5}  {text}");
        }
    }

    /// <inheritdoc/>
    public void WriteHyperparameters(IReadOnlyDictionary<string, object> hyperparameters)
    {
    }

    /// <inheritdoc/>
    public ValueTask FlushAsync(CancellationToken cancellationToken = default)
    {
        PrintPending();
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => FlushAsync();

    private void PrintPending()
    {
        if (_step >= 0 && _step % _printInterval == 0)
        {
            Print($"step {_step,5}  loss {_loss,12:G5}  global grad norm {_globalNorm,12:G5}");
        }

        // The monitor leaves out unknown (NaN) values, so a value missing at a step prints as NaN.
        _step = -1;
        _loss = double.NaN;
        _globalNorm = double.NaN;
    }

    private void Print(string line)
    {
        try
        {
            _output.WriteLine(line);
        }
        catch (IOException exception)
        {
            Fault ??= exception;
        }
    }
}
