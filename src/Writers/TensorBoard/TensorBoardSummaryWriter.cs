using System.Globalization;
using GradDiag.Writers.Logging;
using GradDiag.Writers.Queue;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace GradDiag.Writers.TensorBoard;

/// <summary>
/// Writes summaries to a TensorBoard event file in its own run folder, through a bounded background queue.
/// </summary>
/// <remarks>
/// <para>Write methods are safe from any thread and never wait on disk; with <see cref="FullQueuePolicy.Wait"/>
/// they wait only while the queue is full. Queuing a scalar allocates nothing in steady state.</para>
/// <para>The run folder is locked for the writer's lifetime. A folder that already contains event files is resumed:
/// the writer adds a new file and records a restart at the first step it writes. Steps of a tag must not
/// decrease; a record with a lower step is dropped and counted in <see cref="OutOfOrderRecords"/>.</para>
/// <para>I/O failures are logged once and stored in <see cref="Fault"/>; later records are dropped. They are thrown
/// only when <see cref="TensorBoardWriterOptions.FailFast"/> is set.</para>
/// </remarks>
public sealed class TensorBoardSummaryWriter : ISummaryWriter, IDisposable
{
    private static int s_fileCounter = -1;

    private readonly RecordQueue _queue;
    private readonly TensorBoardEventSink? _sink;
    private readonly RunFolderLock? _lock;

    /// <summary>Creates the run folder, takes its lock, creates the event file and starts the background writer.</summary>
    /// <param name="options">The writer's settings; validated here.</param>
    /// <param name="logger">Receives start, stop, drop and failure messages; null for none.</param>
    /// <param name="timeProvider">The clock for wall times, file names and the flush timer; null for the system clock.</param>
    /// <exception cref="OptionsValidationException">A setting in <paramref name="options"/> is invalid.</exception>
    /// <exception cref="InvalidOperationException">
    /// Another live writer has the run folder locked and <see cref="TensorBoardWriterOptions.RunFolderConflict"/> is
    /// <see cref="RunFolderConflictPolicy.Fail"/>.
    /// </exception>
    /// <exception cref="IOException">The folder or file cannot be created and <see cref="TensorBoardWriterOptions.FailFast"/> is set.</exception>
    public TensorBoardSummaryWriter(TensorBoardWriterOptions options, ILogger<TensorBoardSummaryWriter>? logger = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        TensorBoardWriterOptionsValidator.ThrowIfInvalid(options);
        ILogger log = logger ?? (ILogger)NullLogger.Instance;
        TimeProvider clock = timeProvider ?? TimeProvider.System;
        var settings = new QueueSettings(Name, options.QueueCapacity, options.FullQueuePolicy, options.FlushInterval, options.FailFast);

        string logDirectory = Path.GetFullPath(options.LogDirectory);
        string runName = options.RunName ?? string.Create(CultureInfo.InvariantCulture, $"run-{clock.GetUtcNow():yyyyMMdd-HHmmss}");
        RunDirectory = Path.Combine(logDirectory, runName);
        FilePath = string.Empty;
        Exception? openFault = null;
        try
        {
            _lock = AcquireRunFolder(options, logDirectory, runName, log, clock);
            FilePath = CreateEventFile(clock, out FileStream stream);
            bool isResume = Directory.EnumerateFiles(RunDirectory).Any(file => IsEventFile(file) && !string.Equals(file, FilePath, StringComparison.Ordinal));
            _sink = new TensorBoardEventSink(stream, FilePath, Name, options.WriteScalarsAsTensors, isResume, log);
            _sink.WriteFileHeader(NowSeconds(clock), options.SourceWriterName);
            Log.WriterStarted(log, Name, FilePath);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            _sink?.Dispose();
            _sink = null;
            _lock?.Dispose();
            _lock = null;
            if (options.FailFast)
            {
                throw;
            }

            openFault = exception;
        }

        _queue = new RecordQueue(_sink, openFault, settings, FilePath.Length > 0 ? FilePath : RunDirectory, log, clock);
    }

    /// <inheritdoc/>
    public string Name => "tensorboard";

    /// <inheritdoc/>
    public Exception? Fault => _queue.Fault;

    /// <summary>Gets the run folder the writer uses; with <see cref="RunFolderConflictPolicy.CreateNewRun"/> it may differ from the configured one.</summary>
    public string RunDirectory { get; private set; }

    /// <summary>Gets the full path of the event file, or an empty string when it could not be created.</summary>
    public string FilePath { get; }

    /// <summary>Gets the number of records written to the file buffer.</summary>
    public long WrittenRecords => _queue.WrittenRecords;

    /// <summary>Gets the number of histograms dropped by <see cref="FullQueuePolicy.DropHistogramsFirst"/>.</summary>
    public long DroppedHistograms => _queue.DroppedHistograms;

    /// <summary>Gets the number of scalar and text records dropped because the queue was full.</summary>
    public long DroppedRecords => _queue.DroppedRecords;

    /// <summary>Gets the number of records dropped because the writer had failed or was disposed.</summary>
    public long DroppedAfterFault => _queue.DroppedAfterFault;

    /// <summary>Gets the number of records dropped because their step was below the last step written for their tag.</summary>
    public long OutOfOrderRecords => _sink?.OutOfOrderRecords ?? 0;

    /// <summary>Gets the number of scalars clamped to the float32 range (values beyond ±3.4e38, or non-zero values below 1.4e-45 in magnitude).</summary>
    public long ClampedValues => _sink?.ClampedValues ?? 0;

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

    /// <summary>Writes what is queued, closes the file and deletes the run folder's lock file.</summary>
    public async ValueTask DisposeAsync()
    {
        await _queue.DisposeAsync().ConfigureAwait(false);
        _lock?.Dispose();
    }

    /// <summary>Returns true when a file name marks an event file, as TensorBoard decides it.</summary>
    internal static bool IsEventFile(string path)
    {
        string name = Path.GetFileName(path);
        return name.Contains("tfevents", StringComparison.Ordinal) && !name.EndsWith(".profile-empty", StringComparison.Ordinal);
    }

    private static double NowSeconds(TimeProvider clock) =>
        (clock.GetUtcNow().UtcTicks - DateTime.UnixEpoch.Ticks) / (double)TimeSpan.TicksPerSecond;

    private RunFolderLock AcquireRunFolder(TensorBoardWriterOptions options, string logDirectory, string runName, ILogger log, TimeProvider clock)
    {
        bool explicitName = options.RunName is not null;
        for (int attempt = 1; attempt <= 1000; attempt++)
        {
            string candidate = Path.Combine(logDirectory, attempt == 1 ? runName : string.Create(CultureInfo.InvariantCulture, $"{runName}-{attempt}"));

            // A generated name must be a new folder; an explicit one may be an earlier run that is resumed.
            if (!explicitName && Directory.Exists(candidate))
            {
                continue;
            }

            Directory.CreateDirectory(candidate);
            RunFolderLock? folderLock = RunFolderLock.TryAcquire(candidate, log, clock);
            if (folderLock is not null)
            {
                if (attempt > 1)
                {
                    Log.RunFolderInUse(log, RunDirectory, candidate);
                }

                RunDirectory = candidate;
                return folderLock;
            }

            if (explicitName && options.RunFolderConflict == RunFolderConflictPolicy.Fail)
            {
                throw new InvalidOperationException(
                    $"Run folder '{candidate}' is in use by {RunFolderLock.DescribeHolder(candidate)} (lock file '{Path.Combine(candidate, RunFolderLock.FileName)}'). " +
                    "Two writers must not share a run folder: choose another RunName, stop the other writer, or set RunFolderConflict to CreateNewRun.");
            }
        }

        throw new IOException($"Could not find a free run folder for '{runName}' under '{logDirectory}' after 1000 attempts.");
    }

    private string CreateEventFile(TimeProvider clock, out FileStream stream)
    {
        long seconds = clock.GetUtcNow().ToUnixTimeSeconds();
        string? lastExisting = Directory.EnumerateFiles(RunDirectory)
            .Where(IsEventFile)
            .Select(Path.GetFileName)
            .Max(StringComparer.Ordinal);
        while (true)
        {
            int counter = Interlocked.Increment(ref s_fileCounter);
            string name = string.Create(CultureInfo.InvariantCulture, $"events.out.tfevents.{seconds:D10}.{Environment.MachineName}.{Environment.ProcessId}.{counter}");

            // TensorBoard reads a run's files in name order, so a resumed run's new file must sort after the old ones.
            // When it is created in the same second, the time in its name moves forward instead.
            if (lastExisting is not null && string.CompareOrdinal(name, lastExisting) <= 0)
            {
                seconds++;
                continue;
            }

            string path = Path.Combine(RunDirectory, name);
            try
            {
                // No FileStream buffer: the sink hands over whole records, so each write appends whole records.
                stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read | FileShare.Delete, 0);
                return path;
            }
            catch (IOException) when (File.Exists(path))
            {
                // A file of an earlier process with the same id and second; take the next counter.
            }
        }
    }
}
