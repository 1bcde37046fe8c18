using System.Threading.Channels;
using GradDiag.Writers.Logging;
using Microsoft.Extensions.Logging;

namespace GradDiag.Writers.Queue;

/// <summary>
/// A bounded queue between the training thread and one background loop that drains it into an
/// <see cref="IRecordSink"/>, with a periodic flush and first-fault reporting.
/// </summary>
/// <remarks>
/// Enqueuing is safe from any number of threads. Enqueuing a record without a payload allocates nothing in
/// steady state. The sink is used only from the background loop. After the first fault every later record is
/// dropped and counted; with <see cref="QueueSettings.FailFast"/> the next enqueue throws instead.
/// </remarks>
internal sealed class RecordQueue : IAsyncDisposable
{
    private static readonly TimeSpan BatchPause = TimeSpan.FromMilliseconds(1);

    private readonly Channel<QueuedRecord> _channel;
    private readonly QueueSettings _settings;
    private readonly ILogger _logger;
    private readonly TimeProvider _timeProvider;
    private readonly string _destination;
    private readonly int _histogramLimit;
    private readonly IRecordSink? _sink;
    private readonly Task _loop;
    private readonly ITimer? _flushTimer;

    private Exception? _fault;
    private long _written;
    private long _droppedHistograms;
    private long _droppedOther;
    private long _droppedAfterFault;
    private int _dropLogged;
    private int _disposed;
    private volatile bool _flushDue;

    /// <summary>Starts the background loop over <paramref name="sink"/>, or a faulted queue when the sink could not be opened.</summary>
    public RecordQueue(IRecordSink? sink, Exception? openFault, QueueSettings settings, string destination, ILogger logger, TimeProvider timeProvider)
    {
        _settings = settings;
        _logger = logger;
        _timeProvider = timeProvider;
        _destination = destination;
        _histogramLimit = Math.Max(1, settings.Capacity / 2);
        _channel = Channel.CreateBounded<QueuedRecord>(new BoundedChannelOptions(settings.Capacity)
        {
            SingleReader = true,
            SingleWriter = false,
            FullMode = BoundedChannelFullMode.Wait,
            AllowSynchronousContinuations = false,
        });

        if (sink is null)
        {
            ReportFault(openFault ?? new InvalidOperationException("The summary sink could not be opened."));
            _loop = Task.CompletedTask;
            _channel.Writer.TryComplete();
            return;
        }

        _sink = sink;
        _loop = Task.Run(RunLoopAsync);
        _flushTimer = timeProvider.CreateTimer(OnFlushTimer, null, settings.FlushInterval, settings.FlushInterval);
    }

    /// <summary>Gets the first error the queue or its sink met, or null while healthy.</summary>
    public Exception? Fault => Volatile.Read(ref _fault);

    /// <summary>Gets the number of records the sink accepted.</summary>
    public long WrittenRecords => Interlocked.Read(ref _written);

    /// <summary>Gets the number of histograms dropped because the queue was full.</summary>
    public long DroppedHistograms => Interlocked.Read(ref _droppedHistograms);

    /// <summary>Gets the number of scalar, text and hyperparameter records dropped because the queue was full.</summary>
    public long DroppedRecords => Interlocked.Read(ref _droppedOther);

    /// <summary>Gets the number of records dropped because the writer had faulted or was disposed.</summary>
    public long DroppedAfterFault => Interlocked.Read(ref _droppedAfterFault);

    /// <summary>Gets the current time in seconds since the Unix epoch, without allocating.</summary>
    public double Now() => (_timeProvider.GetUtcNow().UtcTicks - DateTime.UnixEpoch.Ticks) / (double)TimeSpan.TicksPerSecond;

    /// <summary>Queues a record according to the full-queue policy. It waits only when the queue is full and the policy is <see cref="FullQueuePolicy.Wait"/>, never on disk.</summary>
    /// <exception cref="InvalidOperationException">The writer has faulted and fail-fast is on.</exception>
    public void Enqueue(in QueuedRecord record)
    {
        if (Volatile.Read(ref _fault) is { } fault)
        {
            Reject(record);
            if (_settings.FailFast)
            {
                throw new InvalidOperationException($"Summary writer '{_settings.WriterName}' has failed on '{_destination}': {fault.Message}", fault);
            }

            return;
        }

        if (Volatile.Read(ref _disposed) != 0)
        {
            Reject(record);
            return;
        }

        ChannelWriter<QueuedRecord> writer = _channel.Writer;
        if (_settings.Policy == FullQueuePolicy.DropHistogramsFirst)
        {
            if (record.Kind == QueuedRecordKind.Histogram && _channel.Reader.Count >= _histogramLimit)
            {
                CountDrop(record);
                return;
            }

            if (!writer.TryWrite(record))
            {
                CountDrop(record);
            }

            return;
        }

        if (writer.TryWrite(record))
        {
            return;
        }

        // FullQueuePolicy.Wait: spin and yield briefly first, because the background loop usually frees room within
        // microseconds and blocking on a task for every record costs far more when producers outrun it.
        var spinner = default(SpinWait);
        for (int attempt = 0; attempt < 64; attempt++)
        {
            spinner.SpinOnce(sleep1Threshold: -1);
            if (writer.TryWrite(record))
            {
                return;
            }
        }

        try
        {
            // FullQueuePolicy.Wait: the caller chose to wait for room rather than lose records.
            writer.WriteAsync(record).AsTask().GetAwaiter().GetResult();
        }
        catch (ChannelClosedException)
        {
            Reject(record);
        }
    }

    /// <summary>Waits until every record queued before the call is written and flushed.</summary>
    public async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        if (_sink is null || Volatile.Read(ref _disposed) != 0)
        {
            return;
        }

        var completion = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        try
        {
            await _channel.Writer.WriteAsync(new QueuedRecord(QueuedRecordKind.Flush, null, 0, 0, 0, completion), cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            return;
        }

        await completion.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stops accepting records, writes and flushes what is queued, and closes the sink.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _channel.Writer.TryComplete();
        if (_flushTimer is not null)
        {
            await _flushTimer.DisposeAsync().ConfigureAwait(false);
        }

        await _loop.ConfigureAwait(false);
        Log.WriterStopped(_logger, _settings.WriterName, WrittenRecords, DroppedHistograms + DroppedRecords + DroppedAfterFault);
    }

    private async Task RunLoopAsync()
    {
        ChannelReader<QueuedRecord> reader = _channel.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            int processed = 0;
            while (reader.TryRead(out QueuedRecord record))
            {
                Process(record);
                processed++;
            }

            if (_flushDue)
            {
                _flushDue = false;
                FlushSink();
            }

            // After a busy batch, let the next records collect for a moment instead of waking this loop for
            // each one: a wake-up costs microseconds, far more than writing a record.
            if (processed > 1 && !reader.Completion.IsCompleted)
            {
                await Task.Delay(BatchPause).ConfigureAwait(false);
            }
        }

        FlushSink();
        try
        {
            _sink!.Dispose();
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            ReportFault(exception);
        }
    }

    private void Process(in QueuedRecord record)
    {
        switch (record.Kind)
        {
            case QueuedRecordKind.Wake:
                return;
            case QueuedRecordKind.Flush:
                FlushSink();
                ((TaskCompletionSource)record.Payload!).TrySetResult();
                return;
        }

        if (Volatile.Read(ref _fault) is not null)
        {
            Reject(record);
            return;
        }

        try
        {
            _sink!.Append(record);
            Interlocked.Increment(ref _written);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or ObjectDisposedException)
        {
            ReportFault(exception);
        }
        finally
        {
            (record.Payload as HistogramCopy)?.Release();
        }
    }

    private void FlushSink()
    {
        if (Volatile.Read(ref _fault) is not null)
        {
            return;
        }

        try
        {
            _sink!.Flush();
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or ObjectDisposedException)
        {
            ReportFault(exception);
        }
    }

    private void OnFlushTimer(object? state)
    {
        _flushDue = true;

        // Wakes an idle loop; a full queue means the loop is busy and will see the flag after its batch.
        _channel.Writer.TryWrite(new QueuedRecord(QueuedRecordKind.Wake, null, 0, 0, 0, null));
    }

    private void ReportFault(Exception exception)
    {
        if (Interlocked.CompareExchange(ref _fault, exception, null) is null)
        {
            Log.WriterFaulted(_logger, _settings.WriterName, _destination, exception);
        }
    }

    private void Reject(in QueuedRecord record)
    {
        (record.Payload as HistogramCopy)?.Release();
        Interlocked.Increment(ref _droppedAfterFault);
    }

    private void CountDrop(in QueuedRecord record)
    {
        (record.Payload as HistogramCopy)?.Release();
        if (record.Kind == QueuedRecordKind.Histogram)
        {
            Interlocked.Increment(ref _droppedHistograms);
        }
        else
        {
            Interlocked.Increment(ref _droppedOther);
        }

        if (Interlocked.Exchange(ref _dropLogged, 1) == 0)
        {
            Log.RecordsDropped(_logger, _settings.WriterName, record.Kind.ToString(), _settings.Capacity);
        }
    }
}
