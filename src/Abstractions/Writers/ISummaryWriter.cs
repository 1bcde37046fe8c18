namespace GradDiag;

/// <summary>
/// Writes summary records (scalars, histograms, text) for one run, for example to TensorBoard event files.
/// </summary>
/// <remarks>
/// Write methods are called on the training thread and must return quickly without waiting on disk;
/// implementations queue the record and write it in the background. They must not throw into the caller
/// unless the host asked for fail-fast behaviour: I/O failures are reported through logging and
/// <see cref="Fault"/> instead. Values handed in (including histogram arrays) may be reused by the caller
/// after the method returns.
/// </remarks>
public interface ISummaryWriter : IAsyncDisposable
{
    /// <summary>Gets a short name for messages, for example <c>tensorboard</c>.</summary>
    string Name { get; }

    /// <summary>Gets the first error the writer met, or null while it is healthy.</summary>
    Exception? Fault { get; }

    /// <summary>Queues a scalar value.</summary>
    void WriteScalar(string tag, long step, double value);

    /// <summary>Queues a histogram; the writer copies the buckets it uses.</summary>
    void WriteHistogram(string tag, long step, HistogramData histogram);

    /// <summary>Queues a text record (Markdown).</summary>
    void WriteText(string tag, long step, string text);

    /// <summary>Records the run's hyperparameters so that runs can be compared by configuration.</summary>
    void WriteHyperparameters(IReadOnlyDictionary<string, object> hyperparameters);

    /// <summary>Writes everything queued so far to its destination and waits until it is written.</summary>
    ValueTask FlushAsync(CancellationToken cancellationToken = default);
}
