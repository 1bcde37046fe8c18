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
        queue.Enqueue(Scalar(0));
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
        sink.Started.Wait(TimeSpan.FromSeconds(10)).Should().BeTrue();
        queue.Enqueue(Scalar(1));

        Task third = Task.Run(() => queue.Enqueue(Scalar(2)));
        bool finishedEarly = await Task.WhenAny(third, Task.Delay(200)) == third;
        sink.Release.Set();
        await third.WaitAsync(TimeSpan.FromSeconds(10));
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

    private sealed class FailingSink : IRecordSink
    {
        public void Append(in QueuedRecord record) => throw new IOException("No space left on device");

        public void Flush()
        {
        }

        public void Dispose()
        {
        }
    }
}
