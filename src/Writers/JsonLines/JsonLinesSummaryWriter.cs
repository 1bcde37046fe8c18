using GradDiag.Writers.Logging;
using GradDiag.Writers.Queue;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace GradDiag.Writers.JsonLines;

/// <summary>
/// Appends summaries to a JSON Lines file (one object per line) through a bounded background queue. The schema
/// is described in docs/tensorboard.md.
/// </summary>
/// <remarks>
/// Write methods are safe from any thread and never wait on disk; with <see cref="FullQueuePolicy.Wait"/> they wait
/// only while the queue is full. I/O failures are logged once and stored in
/// <see cref="Fault"/>; they are thrown only when <see cref="JsonLinesWriterOptions.FailFast"/> is set.
/// </remarks>
public sealed class JsonLinesSummaryWriter : ISummaryWriter, IDisposable
{
    private readonly RecordQueue _queue;

    /// <summary>Opens the file for appending, writes a header line and starts the background writer.</summary>
    /// <param name="options">The writer's settings; validated here.</param>
    /// <param name="logger">Receives start, stop, drop and failure messages; null for none.</param>
    /// <param name="timeProvider">The clock for wall times and the flush timer; null for the system clock.</param>
    /// <exception cref="OptionsValidationException">A setting in <paramref name="options"/> is invalid.</exception>
    /// <exception cref="IOException">The file cannot be opened and <see cref="JsonLinesWriterOptions.FailFast"/> is set.</exception>
    public JsonLinesSummaryWriter(JsonLinesWriterOptions options, ILogger<JsonLinesSummaryWriter>? logger = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        JsonLinesWriterOptionsValidator.ThrowIfInvalid(options);
        ILogger log = logger ?? (ILogger)NullLogger.Instance;
        TimeProvider clock = timeProvider ?? TimeProvider.System;
        FilePath = Path.GetFullPath(options.FilePath);
        JsonLinesSink? sink = null;
        Exception? openFault = null;
        try
        {
            string? folder = Path.GetDirectoryName(FilePath);
            if (!string.IsNullOrEmpty(folder))
            {
                Directory.CreateDirectory(folder);
            }

            var stream = new FileStream(FilePath, FileMode.Append, FileAccess.Write, FileShare.Read, 0);
            sink = new JsonLinesSink(stream);
            sink.WriteHeader((clock.GetUtcNow().UtcTicks - DateTime.UnixEpoch.Ticks) / (double)TimeSpan.TicksPerSecond, "graddiag");
            Log.WriterStarted(log, Name, FilePath);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            sink?.Dispose();
            sink = null;
            if (options.FailFast)
            {
                throw;
            }

            openFault = exception;
        }

        var settings = new QueueSettings(Name, options.QueueCapacity, options.FullQueuePolicy, options.FlushInterval, options.FailFast);
        _queue = new RecordQueue(sink, openFault, settings, FilePath, log, clock);
    }

    /// <inheritdoc/>
    public string Name => "jsonl";

    /// <inheritdoc/>
    public Exception? Fault => _queue.Fault;

    /// <summary>Gets the full path of the file.</summary>
    public string FilePath { get; }

    /// <summary>Gets the number of histograms dropped by <see cref="FullQueuePolicy.DropHistogramsFirst"/>.</summary>
    public long DroppedHistograms => _queue.DroppedHistograms;

    /// <summary>Gets the number of scalar and text records dropped because the queue was full.</summary>
    public long DroppedRecords => _queue.DroppedRecords;

    /// <inheritdoc/>
    public void WriteScalar(string tag, long step, double value)
    {
        ArgumentNullException.ThrowIfNull(tag);
        _queue.Enqueue(new QueuedRecord(QueuedRecordKind.Scalar, tag, step, _queue.Now(), value, null));
    }

    /// <inheritdoc/>
    public void WriteHistogram(string tag, long step, HistogramData histogram)
    {
        ArgumentNullException.ThrowIfNull(tag);
        ArgumentNullException.ThrowIfNull(histogram);
        _queue.Enqueue(new QueuedRecord(QueuedRecordKind.Histogram, tag, step, _queue.Now(), 0, HistogramCopy.From(histogram)));
    }

    /// <inheritdoc/>
    public void WriteText(string tag, long step, string text)
    {
        ArgumentNullException.ThrowIfNull(tag);
        ArgumentNullException.ThrowIfNull(text);
        _queue.Enqueue(new QueuedRecord(QueuedRecordKind.Text, tag, step, _queue.Now(), 0, text));
    }

    /// <inheritdoc/>
    public void WriteHyperparameters(IReadOnlyDictionary<string, object> hyperparameters)
    {
        ArgumentNullException.ThrowIfNull(hyperparameters);
        var copy = new Dictionary<string, object>(hyperparameters, StringComparer.Ordinal);
        _queue.Enqueue(new QueuedRecord(QueuedRecordKind.Hyperparameters, null, 0, _queue.Now(), 0, copy));
    }

    /// <inheritdoc/>
    public ValueTask FlushAsync(CancellationToken cancellationToken = default) => _queue.FlushAsync(cancellationToken);

    /// <summary>
    /// Writes what is queued and closes the writer, blocking until done, for hosts that dispose synchronously
    /// (for example <c>using var provider = services.BuildServiceProvider()</c>). Prefer <see cref="DisposeAsync"/>.
    /// </summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>Writes what is queued and closes the file.</summary>
    public ValueTask DisposeAsync() => _queue.DisposeAsync();
}
