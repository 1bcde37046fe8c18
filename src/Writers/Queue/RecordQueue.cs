using System.Threading.Channels;
using GradDiag.Writers.Logging;
using Microsoft.Extensions.Logging;

namespace GradDiag.Writers.Queue;

/// <summary>
/// A bounded queue between the training thread and one background loop that drains it into an
/// <see cref="IRecordSink"/>, with a periodic flush and first-fault reporting.
/// </summary>
/// <remarks>
/// The records travel through an unbounded single-reader channel, whose writers take no lock shared with the
/// reader, and the bound is kept by a count of queued records. The background loop lowers the count once per
/// batch, so the queue can briefly hold up to one batch more than its capacity.
/// </remarks>
/// <remarks>
/// Enqueuing is safe from any number of threads. Enqueuing a record without a payload allocates nothing in
/// steady state. The sink is used only from the background loop. After the first fault every later record is
/// dropped and counted; with <see cref="QueueSettings.FailFast"/> the next enqueue throws instead.
/// </remarks>
internal sealed class RecordQueue : IAsyncDisposable
{
    private static readonly TimeSpan BatchPause = TimeSpan.FromMilliseconds(1);
    private static readonly TimeSpan SpaceWaitTimeout = TimeSpan.FromMilliseconds(10);
    private const int CountBatch = 256;

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
    private long _pending;
    private int _waitingProducers;
    private readonly ManualResetEventSlim _spaceAvailable = new(false);
    private readonly SemaphoreSlim _halfFull = new(0, 1);

    /// <summary>Starts the background loop over <paramref name="sink"/>, or a faulted queue when the sink could not be opened.</summary>
    public RecordQueue(IRecordSink? sink, Exception? openFault, QueueSettings settings, string destination, ILogger logger, TimeProvider timeProvider)
    {
        _settings = settings;
        _logger = logger;
        _timeProvider = timeProvider;
        _destination = destination;
        _histogramLimit = Math.Max(1, settings.Capacity / 2);
        _channel = Channel.CreateUnbounded<QueuedRecord>(new UnboundedChannelOptions
        {
            SingleReader = true,
            SingleWriter = false,
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

        if (_settings.Policy == FullQueuePolicy.DropHistogramsFirst)
        {
            bool full = record.Kind == QueuedRecordKind.Histogram
                ? Volatile.Read(ref _pending) >= _histogramLimit
                : Interlocked.Increment(ref _pending) > _settings.Capacity;
            if (full)
            {
                if (record.Kind != QueuedRecordKind.Histogram)
                {
                    Interlocked.Decrement(ref _pending);
                }

                CountDrop(record);
                return;
            }

            if (record.Kind == QueuedRecordKind.Histogram)
            {
                Interlocked.Increment(ref _pending);
            }
        }
        else if (Interlocked.Increment(ref _pending) > _settings.Capacity)
        {
            // FullQueuePolicy.Wait: give the slot back and wait for room rather than lose the record.
            Interlocked.Decrement(ref _pending);
            if (!WaitForSpace())
            {
                Reject(record);
                return;
            }
        }

        if (!_channel.Writer.TryWrite(record))
        {
            Interlocked.Decrement(ref _pending);
            Reject(record);
            return;
        }

        if (Volatile.Read(ref _pending) >= _histogramLimit && _halfFull.CurrentCount == 0)
        {
            try
            {
                _halfFull.Release();
            }
            catch (SemaphoreFullException)
            {
                // Another producer released it first.
            }
        }
    }

    /// <summary>Takes a queue slot once one is free; returns false when the queue stops accepting records while waiting.</summary>
    private bool WaitForSpace()
    {
        // Spin and yield briefly first: the background loop usually frees room within microseconds, and blocking
        // costs far more when producers outrun it.
        var spinner = default(SpinWait);
        while (true)
        {
            if (Volatile.Read(ref _fault) is not null || Volatile.Read(ref _disposed) != 0)
            {
                return false;
            }

            if (Volatile.Read(ref _pending) < _settings.Capacity)
            {
                if (Interlocked.Increment(ref _pending) <= _settings.Capacity)
                {
                    return true;
                }

                Interlocked.Decrement(ref _pending);
            }

            if (spinner.Count < 64)
            {
                spinner.SpinOnce(sleep1Threshold: -1);
                continue;
            }

            // The timeout covers a signal that arrives between the check above and the wait.
            Interlocked.Increment(ref _waitingProducers);
            _spaceAvailable.Reset();
            if (Volatile.Read(ref _pending) >= _settings.Capacity)
            {
                _spaceAvailable.Wait(SpaceWaitTimeout);
            }

            Interlocked.Decrement(ref _waitingProducers);
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
        _spaceAvailable.Set();
        Log.WriterStopped(_logger, _settings.WriterName, WrittenRecords, DroppedHistograms + DroppedRecords + DroppedAfterFault);
    }

    private async Task RunLoopAsync()
    {
        ChannelReader<QueuedRecord> reader = _channel.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            int processed = 0;
            int uncounted = 0;
            while (reader.TryRead(out QueuedRecord record))
            {
                Process(record);
                processed++;
                if (record.Kind < QueuedRecordKind.Flush && ++uncounted == CountBatch)
                {
                    ReleaseSlots(uncounted);
                    uncounted = 0;
                }
            }

            ReleaseSlots(uncounted);

            if (_flushDue)
            {
                _flushDue = false;
                FlushSink();
            }

            // After a busy batch, let the next records collect for a moment instead of waking this loop for
            // each one: a wake-up costs microseconds, far more than writing a record. A producer that fills
            // half the queue ends the pause early.
            if (processed > 1 && !reader.Completion.IsCompleted)
            {
                await _halfFull.WaitAsync(BatchPause).ConfigureAwait(false);
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

    private void ReleaseSlots(int count)
    {
        if (count == 0)
        {
            return;
        }

        Interlocked.Add(ref _pending, -count);
        if (Volatile.Read(ref _waitingProducers) > 0)
        {
            _spaceAvailable.Set();
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
