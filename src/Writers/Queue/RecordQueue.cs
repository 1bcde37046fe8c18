using GradDiag.Writers.Logging;
using Microsoft.Extensions.Logging;

namespace GradDiag.Writers.Queue;

/// <summary>
/// A bounded queue between the training thread and one background thread that drains it into an
/// <see cref="IRecordSink"/>, with a periodic flush and first-fault reporting.
/// </summary>
/// <remarks>
/// <para>Producers copy each record into a growable array under a short lock. The background thread takes the
/// whole array at once by swapping it with a second, empty one, so records cross threads in batches rather than one
/// by one. The background thread is woken only when a batch reaches <see cref="_wakeThreshold"/> records, on a flush
/// request, on the flush timer and on dispose. Records that arrive between those sit in memory until then: they
/// would reach the disk no sooner if encoded at once, because the sink writes to the file only in large blocks and
/// on a flush. So a training loop that writes a few records per step does not wake a thread every step, which on
/// a machine with few cores would take a core from the training threads.</para>
/// <para>The capacity bounds the records in the filling array plus those of the batch being drained that the
/// background thread has not yet released. It releases them every <see cref="ReleaseBatch"/> records.</para>
/// <para>Enqueuing is safe from any number of threads and allocates nothing once both arrays have grown to the
/// largest batch, at most the capacity. The sink is used only from the background thread. After the first fault
/// every later record is dropped and counted; with <see cref="QueueSettings.FailFast"/> the next enqueue throws
/// instead.</para>
/// </remarks>
internal sealed class RecordQueue : IAsyncDisposable
{
    private const int SpaceWaitMilliseconds = 10;
    private const int ReleaseBatch = 256;
    private const int InitialArraySize = 256;
    private const int MaxWakeThreshold = 4096;

    private readonly QueueSettings _settings;
    private readonly ILogger _logger;
    private readonly WallClock _clock;
    private readonly string _destination;
    private readonly int _histogramLimit;
    private readonly int _wakeThreshold;
    private readonly IRecordSink? _sink;
    private readonly ITimer? _flushTimer;
    private readonly TaskCompletionSource _loopCompleted = new(TaskCreationOptions.RunContinuationsAsynchronously);

    // Guards the fields below it up to the next blank line; the background thread waits on it.
    private readonly object _gate = new();
    private QueuedRecord[] _filling;
    private int _fillingCount;
    private QueuedRecord[] _draining;
    private List<TaskCompletionSource> _flushRequests = [];
    private int _pending;
    private ConsumerState _consumerState = ConsumerState.Busy;
    private bool _flushDue;
    private bool _stopping;

    // Producers waiting for room under FullQueuePolicy.Wait wait on this object.
    private readonly object _space = new();
    private int _waitingProducers;

    private Exception? _fault;
    private long _written;
    private long _droppedHistograms;
    private long _droppedOther;
    private long _droppedAfterFault;
    private int _dropLogged;
    private int _disposed;

    /// <summary>Starts the background thread over <paramref name="sink"/>, or a faulted queue when the sink could not be opened.</summary>
    public RecordQueue(IRecordSink? sink, Exception? openFault, QueueSettings settings, string destination, ILogger logger, TimeProvider timeProvider)
    {
        _settings = settings;
        _logger = logger;
        _clock = new WallClock(timeProvider);
        _destination = destination;
        _histogramLimit = Math.Max(1, settings.Capacity / 2);
        _wakeThreshold = Math.Clamp(settings.Capacity / 4, 1, MaxWakeThreshold);
        int initialSize = Math.Min(settings.Capacity, InitialArraySize);
        _filling = new QueuedRecord[initialSize];
        _draining = new QueuedRecord[initialSize];

        if (sink is null)
        {
            ReportFault(openFault ?? new InvalidOperationException("The summary sink could not be opened."));
            _stopping = true;
            _loopCompleted.SetResult();
            return;
        }

        _sink = sink;

        // A dedicated thread, because the loop blocks on a monitor while idle and would otherwise hold a pool thread.
        var thread = new Thread(RunLoop) { IsBackground = true, Name = $"GradDiag {settings.WriterName} writer" };
        thread.Start();
        _flushTimer = timeProvider.CreateTimer(OnFlushTimer, null, settings.FlushInterval, settings.FlushInterval);
    }

    private enum ConsumerState
    {
        /// <summary>Processing a batch, or about to take one; producers need not wake it.</summary>
        Busy,

        /// <summary>Waiting for a full batch or a request.</summary>
        Idle,
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

    /// <summary>Returns a record timestamp in seconds since the Unix epoch, with <see cref="WallClock"/>'s resolution, without allocating.</summary>
    public double Now() => _clock.Now();

    /// <summary>Queues a record according to the full-queue policy. It waits only when the queue is full and the policy is <see cref="FullQueuePolicy.Wait"/>, never on disk.</summary>
    /// <exception cref="InvalidOperationException">The writer has faulted and fail-fast is on.</exception>
    public void Enqueue(in QueuedRecord record)
    {
        while (true)
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

            switch (TryAdd(record))
            {
                case AddResult.Added:
                    return;
                case AddResult.Stopped:
                    Reject(record);
                    return;
                case AddResult.Full when _settings.Policy == FullQueuePolicy.DropHistogramsFirst:
                    CountDrop(record);
                    return;
                default:
                    // FullQueuePolicy.Wait: wait for room rather than lose the record, then try again.
                    WaitForSpace();
                    break;
            }
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
        lock (_gate)
        {
            if (_stopping)
            {
                return;
            }

            // Every record queued before this point is in the filling array or an earlier batch, so the flush that
            // follows the batch taken together with this request covers them.
            _flushRequests.Add(completion);
            WakeConsumer();
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

        lock (_gate)
        {
            _stopping = true;
            WakeConsumer();
        }

        if (_flushTimer is not null)
        {
            await _flushTimer.DisposeAsync().ConfigureAwait(false);
        }

        await _loopCompleted.Task.ConfigureAwait(false);
        SignalSpace();
        Log.WriterStopped(_logger, _settings.WriterName, WrittenRecords, DroppedHistograms + DroppedRecords + DroppedAfterFault);
    }

    private AddResult TryAdd(in QueuedRecord record)
    {
        int limit = record.Kind == QueuedRecordKind.Histogram && _settings.Policy == FullQueuePolicy.DropHistogramsFirst
            ? _histogramLimit
            : _settings.Capacity;
        lock (_gate)
        {
            if (_stopping)
            {
                return AddResult.Stopped;
            }

            if (_pending >= limit)
            {
                return AddResult.Full;
            }

            // The filling array contains at most _pending records, and _pending is below the capacity here.
            if (_fillingCount == _filling.Length)
            {
                Array.Resize(ref _filling, Math.Min(_filling.Length * 2, _settings.Capacity));
            }

            _filling[_fillingCount++] = record;
            _pending++;
            if (_fillingCount >= _wakeThreshold)
            {
                WakeConsumer();
            }

            return AddResult.Added;
        }
    }

    /// <summary>Waits until the queue may have room or stops accepting records.</summary>
    private void WaitForSpace()
    {
        // Spin briefly first: the background thread releases room every few hundred records, and blocking costs
        // far more when producers outrun it.
        var spinner = default(SpinWait);
        while (spinner.Count < 16)
        {
            if (Volatile.Read(ref _pending) < _settings.Capacity || Volatile.Read(ref _disposed) != 0 || Volatile.Read(ref _fault) is not null)
            {
                return;
            }

            spinner.SpinOnce(sleep1Threshold: -1);
        }

        // The background thread pulses _space after it lowers _pending, if _waitingProducers is above zero. This
        // thread raises that count before it reads _pending, so either the read finds the room or the pulse comes
        // after this wait starts. The timeout is a safety net only.
        Interlocked.Increment(ref _waitingProducers);
        lock (_space)
        {
            if (Volatile.Read(ref _pending) >= _settings.Capacity && Volatile.Read(ref _disposed) == 0 && Volatile.Read(ref _fault) is null)
            {
                Monitor.Wait(_space, SpaceWaitMilliseconds);
            }
        }

        Interlocked.Decrement(ref _waitingProducers);
    }

    /// <summary>Wakes the background thread if it waits on <see cref="_gate"/>; the caller holds the lock.</summary>
    private void WakeConsumer()
    {
        if (_consumerState != ConsumerState.Busy)
        {
            _consumerState = ConsumerState.Busy;
            Monitor.Pulse(_gate);
        }
    }

    private void SignalSpace()
    {
        if (Volatile.Read(ref _waitingProducers) > 0)
        {
            lock (_space)
            {
                Monitor.PulseAll(_space);
            }
        }
    }

    private void RunLoop()
    {
        var flushing = new List<TaskCompletionSource>();
        try
        {
            bool stop = false;
            while (!stop)
            {
                stop = TakeBatch(out QueuedRecord[] batch, out int count, ref flushing, out bool flushDue);
                ProcessBatch(batch, count);
                if (flushDue || flushing.Count > 0 || stop)
                {
                    FlushSink();
                }

                foreach (TaskCompletionSource completion in flushing)
                {
                    completion.TrySetResult();
                }

                flushing.Clear();
            }

            CloseSink();
        }
        catch (Exception exception)
        {
            // A sink error that is not an I/O error would otherwise end the process, because this is a plain thread.
            ReportFault(exception);
            AbandonQueue(flushing);
            CloseSink();
        }
        finally
        {
            SignalSpace();
            _loopCompleted.TrySetResult();
        }
    }

    /// <summary>Waits for work, then swaps the filling array for the empty one and takes the pending flush requests.</summary>
    /// <returns>True when the queue is stopping and this is the last batch.</returns>
    private bool TakeBatch(out QueuedRecord[] batch, out int count, ref List<TaskCompletionSource> flushing, out bool flushDue)
    {
        lock (_gate)
        {
            while (true)
            {
                bool requested = _stopping || _flushDue || _flushRequests.Count > 0;
                // A producer waiting for room needs the queued records taken. With none queued there is nothing to
                // take, and looping would spin.
                if (_fillingCount >= _wakeThreshold || requested || (_fillingCount > 0 && Volatile.Read(ref _waitingProducers) > 0))
                {
                    break;
                }

                _consumerState = ConsumerState.Idle;
                Monitor.Wait(_gate);
                _consumerState = ConsumerState.Busy;
            }

            batch = _filling;
            count = _fillingCount;
            _filling = _draining;
            _fillingCount = 0;
            _draining = batch;
            (flushing, _flushRequests) = (_flushRequests, flushing);
            flushDue = _flushDue;
            _flushDue = false;
            return _stopping;
        }
    }

    private void ProcessBatch(QueuedRecord[] batch, int count)
    {
        int unreleased = 0;
        long written = 0;
        for (int i = 0; i < count; i++)
        {
            if (Process(batch[i]))
            {
                written++;
            }

            // Clears the slot so that the array does not keep tags, texts or histograms alive.
            batch[i] = default;
            if (++unreleased == ReleaseBatch)
            {
                ReleaseSlots(unreleased, written);
                unreleased = 0;
                written = 0;
            }
        }

        ReleaseSlots(unreleased, written);
    }

    private void ReleaseSlots(int count, long written)
    {
        if (count == 0)
        {
            return;
        }

        Interlocked.Add(ref _written, written);
        lock (_gate)
        {
            _pending -= count;
        }

        SignalSpace();
    }

    /// <summary>Appends one record to the sink; returns true when the sink accepted it.</summary>
    private bool Process(in QueuedRecord record)
    {
        if (Volatile.Read(ref _fault) is not null)
        {
            Reject(record);
            return false;
        }

        try
        {
            _sink!.Append(record);
            return true;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or ObjectDisposedException)
        {
            ReportFault(exception);
            return false;
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

    private void CloseSink()
    {
        try
        {
            _sink!.Dispose();
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            ReportFault(exception);
        }
    }

    /// <summary>After an unexpected sink error: stops the queue, counts what is left as dropped and ends every flush wait.</summary>
    private void AbandonQueue(List<TaskCompletionSource> flushing)
    {
        lock (_gate)
        {
            _stopping = true;
            for (int i = 0; i < _fillingCount; i++)
            {
                Reject(_filling[i]);
                _filling[i] = default;
            }

            _fillingCount = 0;
            _pending = 0;
            flushing.AddRange(_flushRequests);
            _flushRequests.Clear();
        }

        foreach (TaskCompletionSource completion in flushing)
        {
            completion.TrySetResult();
        }
    }

    private void OnFlushTimer(object? state)
    {
        lock (_gate)
        {
            _flushDue = true;
            WakeConsumer();
        }
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

    private enum AddResult
    {
        Added,
        Full,
        Stopped,
    }
}
