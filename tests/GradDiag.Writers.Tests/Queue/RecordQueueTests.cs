using GradDiag.Writers.Queue;
using Microsoft.Extensions.Logging.Abstractions;

namespace GradDiag.Writers.Tests.Queue;

public class RecordQueueTests
{
    [Fact]
    public async Task DropHistogramsFirst_FullQueue_DropsHistograms()
    {
        var sink = new BlockingSink();
        var settings = new QueueSettings("test", 8, FullQueuePolicy.DropHistogramsFirst, TimeSpan.FromHours(1), FailFast: false);
        await using var queue = new RecordQueue(sink, null, settings, "memory", NullLogger.Instance, TimeProvider.System);

        // The first record occupies the blocked sink and still counts against the capacity of 8 until its batch ends.
        // One record does not wake the writer thread, so a flush request hands it over.
        queue.Enqueue(Scalar(0));
        Task handOver = queue.FlushAsync(CancellationToken.None).AsTask();
        sink.Started.Wait(TimeSpan.FromSeconds(10)).Should().BeTrue();
        for (int i = 1; i <= 3; i++)
        {
            queue.Enqueue(Scalar(i));
        }

        queue.Enqueue(Histogram(4));
        for (int i = 5; i <= 8; i++)
        {
            queue.Enqueue(Scalar(i));
        }

        queue.Enqueue(Scalar(9));

        queue.DroppedHistograms.Should().Be(1, "a histogram is refused once the queue is half full");
        queue.DroppedRecords.Should().Be(1, "a scalar is refused only when the queue is completely full");
        sink.Release.Set();
        await handOver;
        await queue.FlushAsync(CancellationToken.None);
        sink.Steps.Should().Equal(0, 1, 2, 3, 5, 6, 7, 8);
    }

    [Fact]
    public async Task Wait_FullQueue_BlocksUntilRoom()
    {
        var sink = new BlockingSink();
        var settings = new QueueSettings("test", 2, FullQueuePolicy.Wait, TimeSpan.FromHours(1), FailFast: false);
        await using var queue = new RecordQueue(sink, null, settings, "memory", NullLogger.Instance, TimeProvider.System);
        queue.Enqueue(Scalar(0));
        Task handOver = queue.FlushAsync(CancellationToken.None).AsTask();
        sink.Started.Wait(TimeSpan.FromSeconds(10)).Should().BeTrue();
        queue.Enqueue(Scalar(1));

        Task third = Task.Run(() => queue.Enqueue(Scalar(2)));
        bool finishedEarly = await Task.WhenAny(third, Task.Delay(200)) == third;
        sink.Release.Set();
        await third.WaitAsync(TimeSpan.FromSeconds(10));
        await handOver;
        await queue.FlushAsync(CancellationToken.None);

        finishedEarly.Should().BeFalse("the queue was full");
        sink.Steps.Should().Equal(0, 1, 2);
        queue.DroppedRecords.Should().Be(0);
    }

    [Fact]
    public async Task FailFast_AfterFault_Throws()
    {
        var settings = new QueueSettings("test", 8, FullQueuePolicy.Wait, TimeSpan.FromHours(1), FailFast: true);
        await using var queue = new RecordQueue(null, new IOException("disk full"), settings, "memory", NullLogger.Instance, TimeProvider.System);

        Action write = () => queue.Enqueue(Scalar(1));

        write.Should().Throw<InvalidOperationException>().WithMessage("*disk full*");
    }

    [Fact]
    public async Task SinkFailure_IsReportedOnce()
    {
        var sink = new FailingSink();
        var settings = new QueueSettings("test", 8, FullQueuePolicy.Wait, TimeSpan.FromHours(1), FailFast: false);
        await using var queue = new RecordQueue(sink, null, settings, "memory", NullLogger.Instance, TimeProvider.System);

        queue.Enqueue(Scalar(1));
        queue.Enqueue(Scalar(2));
        await queue.FlushAsync(CancellationToken.None);
        queue.Enqueue(Scalar(3));

        queue.Fault.Should().BeOfType<IOException>().Which.Message.Should().Be("No space left on device");
        queue.DroppedAfterFault.Should().Be(2);
    }

    [Fact]
    public async Task SmallBatch_WaitsForTheTimer()
    {
        // One record is far below the wake threshold of a queue this large, so it waits for the flush timer.
        var sink = new CollectingSink();
        var settings = new QueueSettings("test", 16384, FullQueuePolicy.Wait, TimeSpan.FromMilliseconds(300), FailFast: false);
        await using var queue = new RecordQueue(sink, null, settings, "memory", NullLogger.Instance, TimeProvider.System);

        queue.Enqueue(Scalar(7));

        sink.Appended.Wait(TimeSpan.FromSeconds(10)).Should().BeTrue("the flush timer wakes the writer thread");
        sink.Steps.Should().Equal(7);
    }

    [Fact]
    public async Task SmallBatch_DoesNotWakeTheWriterThread()
    {
        var sink = new CollectingSink();
        var settings = new QueueSettings("test", 16384, FullQueuePolicy.Wait, TimeSpan.FromHours(1), FailFast: false);
        await using var queue = new RecordQueue(sink, null, settings, "memory", NullLogger.Instance, TimeProvider.System);

        queue.Enqueue(Scalar(7));

        sink.Appended.Wait(TimeSpan.FromMilliseconds(300)).Should().BeFalse("a record below the wake threshold waits for a flush");
        await queue.FlushAsync(CancellationToken.None);
        sink.Steps.Should().Equal(7);
    }

    [Fact]
    public async Task Flush_CoversEveryEarlierRecord()
    {
        var sink = new CollectingSink();
        var settings = new QueueSettings("test", 16384, FullQueuePolicy.Wait, TimeSpan.FromHours(1), FailFast: false);
        await using var queue = new RecordQueue(sink, null, settings, "memory", NullLogger.Instance, TimeProvider.System);

        for (int step = 0; step < 10_000; step++)
        {
            queue.Enqueue(Scalar(step));
        }

        await queue.FlushAsync(CancellationToken.None);

        sink.Steps.Should().Equal(Enumerable.Range(0, 10_000).Select(i => (long)i));
        sink.FlushedCount.Should().Be(10_000, "the flush runs after every record queued before it");
        queue.WrittenRecords.Should().Be(10_000);
    }

    [Fact]
    public async Task Dispose_WritesQueuedRecords()
    {
        var sink = new CollectingSink();
        var settings = new QueueSettings("test", 16384, FullQueuePolicy.Wait, TimeSpan.FromHours(1), FailFast: false);
        var queue = new RecordQueue(sink, null, settings, "memory", NullLogger.Instance, TimeProvider.System);
        for (int step = 0; step < 3; step++)
        {
            queue.Enqueue(Scalar(step));
        }

        await queue.DisposeAsync();
        queue.Enqueue(Scalar(3));

        sink.Steps.Should().Equal(0, 1, 2);
        sink.FlushedCount.Should().Be(3);
        sink.Disposed.Should().BeTrue();
        queue.DroppedAfterFault.Should().Be(1, "a record queued after dispose is dropped");
    }

    [Fact]
    public async Task Wait_ManyProducersTinyQueue_LoseNothing()
    {
        const int Producers = 4;
        const int PerProducer = 20_000;
        var sink = new CollectingSink();
        var settings = new QueueSettings("test", 2, FullQueuePolicy.Wait, TimeSpan.FromHours(1), FailFast: false);
        await using var queue = new RecordQueue(sink, null, settings, "memory", NullLogger.Instance, TimeProvider.System);

        Task[] producers = Enumerable.Range(0, Producers).Select(producer => Task.Run(() =>
        {
            for (int i = 0; i < PerProducer; i++)
            {
                queue.Enqueue(Scalar((producer * PerProducer) + i));
            }
        })).ToArray();
        await Task.WhenAll(producers).WaitAsync(TimeSpan.FromSeconds(60));
        await queue.FlushAsync(CancellationToken.None);

        sink.Steps.Should().HaveCount(Producers * PerProducer);
        sink.Steps.Distinct().Should().HaveCount(Producers * PerProducer, "no record is written twice");
        queue.DroppedRecords.Should().Be(0);
    }

    [Fact]
    public async Task UnexpectedSinkError_FaultsWithoutThrowing()
    {
        var sink = new FailingSink(new InvalidOperationException("encoder bug"));
        var settings = new QueueSettings("test", 8, FullQueuePolicy.Wait, TimeSpan.FromHours(1), FailFast: false);
        var queue = new RecordQueue(sink, null, settings, "memory", NullLogger.Instance, TimeProvider.System);

        queue.Enqueue(Scalar(1));
        await queue.FlushAsync(CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        Func<Task> dispose = async () => await queue.DisposeAsync();

        queue.Fault.Should().BeOfType<InvalidOperationException>().Which.Message.Should().Be("encoder bug");
        await dispose.Should().NotThrowAsync();
    }

    private static QueuedRecord Scalar(long step) => new(QueuedRecordKind.Scalar, "s", step, 0, step, null);

    private static QueuedRecord Histogram(long step) =>
        new(QueuedRecordKind.Histogram, "h", step, 0, 0, HistogramCopy.From(new HistogramData([1], [1]) { BucketCount = 1 }));

    private sealed class BlockingSink : IRecordSink
    {
        public ManualResetEventSlim Started { get; } = new();

        public ManualResetEventSlim Release { get; } = new();

        public List<long> Steps { get; } = [];

        public void Append(in QueuedRecord record)
        {
            Started.Set();
            Release.Wait();
            Steps.Add(record.Step);
        }

        public void Flush()
        {
        }

        public void Dispose()
        {
            Started.Dispose();
            Release.Dispose();
        }
    }

    private sealed class FailingSink(Exception? error = null) : IRecordSink
    {
        public void Append(in QueuedRecord record) => throw error ?? new IOException("No space left on device");

        public void Flush()
        {
        }

        public void Dispose()
        {
        }
    }

    private sealed class CollectingSink : IRecordSink
    {
        public ManualResetEventSlim Appended { get; } = new();

        public List<long> Steps { get; } = [];

        public int Flushes { get; private set; }

        public int FlushedCount { get; private set; }

        public bool Disposed { get; private set; }

        public void Append(in QueuedRecord record)
        {
            Steps.Add(record.Step);
            Appended.Set();
        }

        public void Flush()
        {
            Flushes++;
            FlushedCount = Steps.Count;
        }

        public void Dispose()
        {
            Disposed = true;
            Appended.Dispose();
        }
    }
}
