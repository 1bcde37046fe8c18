using System.Text.RegularExpressions;
using GradDiag.Writers.Protocol;
using GradDiag.Writers.Reading;
using GradDiag.Writers.TensorBoard;
using Microsoft.Extensions.Options;

namespace GradDiag.Writers.Tests.TensorBoard;

public sealed class TensorBoardSummaryWriterTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Constructor_NewRun_WritesHeaderAtOnce()
    {
        await using var writer = new TensorBoardSummaryWriter(Options("run1"));

        string name = Path.GetFileName(writer.FilePath);
        name.Should().MatchRegex($@"^events\.out\.tfevents\.\d{{10}}\.{Regex.Escape(Environment.MachineName)}\.{Environment.ProcessId}\.\d+$");
        writer.RunDirectory.Should().Be(Path.Combine(_folder.Path, "run1"));
        List<Event> events = ReadEvents(writer.FilePath);
        events.Should().HaveCount(1);
        events[0].FileVersion.Should().Be("brain.Event:2");
        events[0].SourceMetadata.Writer.Should().Be("graddiag");
        events[0].Step.Should().Be(0);
        events[0].WallTime.Should().BeGreaterThan(1.6e9);
    }

    [Fact]
    public async Task Write_EveryRecordType_ReadsBack()
    {
        string file;
        await using (var writer = new TensorBoardSummaryWriter(Options("all")))
        {
            file = writer.FilePath;
            writer.WriteHyperparameters(new Dictionary<string, object> { ["lr"] = 0.001, ["optimizer"] = "adam", ["amp"] = true });
            writer.WriteText("graddiag/parameters", 0, "| name | layer |\n|---|---|\n| fc1.weight | fc1 |");
            writer.WriteScalar("loss", 0, 2.5);
            writer.WriteScalar("loss", 1, double.NaN);
            writer.WriteScalar("loss", 2, double.PositiveInfinity);
            writer.WriteScalar("loss", 3, double.NegativeInfinity);
            writer.WriteScalar("grad_norm/fc1.weight", 3, 1e300);
            writer.WriteHistogram("grad_hist/fc1.weight", 3, Histogram());
            writer.WriteHistogram("grad_log10_hist/fc1.weight", 3, Histogram());
        }

        TensorBoardRunData data = new TensorBoardLogReader().ReadRun(new TensorBoardRun("all", Path.GetDirectoryName(file)!, [file]));

        data.Issues.Should().BeEmpty();
        SummaryRecord[] loss = data.Records.Where(r => r.Tag == "loss").ToArray();
        loss.Select(r => r.Step).Should().Equal(0, 1, 2, 3);
        loss[0].Value.Should().Be(2.5);
        double.IsNaN(loss[1].Value).Should().BeTrue();
        loss[2].Value.Should().Be(double.PositiveInfinity);
        loss[3].Value.Should().Be(double.NegativeInfinity);
        data.Records.Single(r => r.Tag == "grad_norm/fc1.weight").Value.Should().Be(float.MaxValue);
        SummaryRecord histogram = data.Records.Single(r => r.Tag == "grad_hist/fc1.weight");
        histogram.Kind.Should().Be(SummaryRecordKind.Histogram);
        histogram.Histogram!.BucketLimits.Should().Equal(-1, 0, 1);
        histogram.Histogram.BucketCounts.Should().Equal(2, 0, 3);
        histogram.Histogram.Min.Should().Be(-1.5);
        histogram.Histogram.Max.Should().Be(0.75);
        histogram.Histogram.Count.Should().Be(5);
        histogram.Histogram.Sum.Should().Be(-0.25);
        histogram.Histogram.SumOfSquares.Should().Be(3.125);
        data.Records.Should().ContainSingle(r => r.Tag == "grad_log10_hist/fc1.weight");
        SummaryRecord text = data.Records.Single(r => r.Tag == "graddiag/parameters");
        text.Kind.Should().Be(SummaryRecordKind.Text);
        text.Text.Should().Contain("fc1.weight");
        SummaryRecord hparams = data.Records.Single(r => r.Kind == SummaryRecordKind.Hyperparameters);
        hparams.Hyperparameters!["lr"].Should().Be(0.001);
        hparams.Hyperparameters["optimizer"].Should().Be("adam");
        hparams.Hyperparameters["amp"].Should().Be(true);
    }

    [Fact]
    public async Task Write_EveryRecord_ReencodesByteExact()
    {
        string file;
        await using (var writer = new TensorBoardSummaryWriter(Options("exact")))
        {
            file = writer.FilePath;
            writer.WriteHyperparameters(new Dictionary<string, object> { ["lr"] = 0.001, ["layers"] = 6 });
            writer.WriteText("graddiag/findings", 1, "none");
            writer.WriteScalar("loss", 1, 0.5);
            writer.WriteHistogram("grad_hist/fc1.weight", 1, Histogram());
        }

        byte[] bytes = await File.ReadAllBytesAsync(file);
        int offset = 0;
        int records = 0;
        while (offset < bytes.Length)
        {
            int length = (int)BitConverter.ToUInt64(bytes, offset);
            byte[] payload = bytes.AsSpan(offset + 12, length).ToArray();

            Google.Protobuf.MessageExtensions.ToByteArray(Event.Parser.ParseFrom(payload)).Should().Equal(payload, "record {0} at offset {1}", records, offset);
            GradDiag.Writers.Framing.RecordFraming.Frame(payload).Should().Equal(bytes.AsSpan(offset, length + 16).ToArray());
            offset += length + 16;
            records++;
        }

        records.Should().Be(6, "header, session start, hyperparameters, text, scalar and histogram");
    }

    [Fact]
    public async Task WriteScalar_Overflow_IsClampedAndCounted()
    {
        await using var writer = new TensorBoardSummaryWriter(Options("clamp"));

        writer.WriteScalar("a", 0, 1e39);
        writer.WriteScalar("a", 1, -1e39);
        writer.WriteScalar("a", 2, 1e-50);
        writer.WriteScalar("a", 3, 1.0);
        await writer.FlushAsync();

        writer.ClampedValues.Should().Be(3);
    }

    [Fact]
    public async Task WriteScalar_AsTensor_HasScalarsPlugin()
    {
        var options = Options("tensors");
        options.WriteScalarsAsTensors = true;
        await using var writer = new TensorBoardSummaryWriter(options);

        writer.WriteScalar("loss", 1, 0.5);
        writer.WriteScalar("loss", 2, 0.25);
        await writer.FlushAsync();

        Summary.Types.Value[] values = ReadEvents(writer.FilePath).Where(e => e.Summary is not null).Select(e => e.Summary.Value[0]).ToArray();
        values.Should().HaveCount(2);
        values.Should().OnlyContain(v => v.Metadata.PluginData.PluginName == "scalars" && v.Tensor.Dtype == DataType.DtFloat && v.Tensor.TensorShape.Dim.Count == 0);
    }

    [Fact]
    public async Task WriteScalar_StepGoesBack_IsDropped()
    {
        await using var writer = new TensorBoardSummaryWriter(Options("order"));

        writer.WriteScalar("loss", 5, 1);
        writer.WriteScalar("loss", 3, 2);
        writer.WriteScalar("loss", 5, 3);
        writer.WriteScalar("other", 1, 4);
        await writer.FlushAsync();

        writer.OutOfOrderRecords.Should().Be(1);
        long[] steps = ReadEvents(writer.FilePath).Where(e => e.Summary?.Value[0].Tag == "loss").Select(e => e.Step).ToArray();
        steps.Should().Equal(5, 5);
    }

    [Fact]
    public async Task WriteScalar_NewTagStrings_ShareSeries()
    {
        await using var writer = new TensorBoardSummaryWriter(Options("instances"));

        // Each call builds a new string with the same text, as a caller that formats its tags per step would.
        for (int step = 0; step < 3000; step++)
        {
            writer.WriteScalar(string.Concat("grad_norm/", "fc", (step % 3).ToString(System.Globalization.CultureInfo.InvariantCulture)), step / 3, step);
        }

        writer.WriteScalar(string.Concat("grad_norm/", "fc0"), 0, -1);
        await writer.FlushAsync();

        writer.OutOfOrderRecords.Should().Be(1, "step 0 of fc0 comes after step 999 of the same series");
        string[] tags = ReadEvents(writer.FilePath).Where(e => e.Summary is not null).Select(e => e.Summary.Value[0].Tag).Distinct().ToArray();
        tags.Should().BeEquivalentTo(["grad_norm/fc0", "grad_norm/fc1", "grad_norm/fc2"]);
    }

    [Fact]
    public async Task Write_UnsafeTag_IsSanitized()
    {
        await using var writer = new TensorBoardSummaryWriter(Options("tags"));

        writer.WriteScalar("/grad norm//fc1 \"x\"/", 0, 1);
        await writer.FlushAsync();

        ReadEvents(writer.FilePath).Single(e => e.Summary is not null).Summary.Value[0].Tag.Should().Be("grad_norm/fc1__x_");
    }

    [Fact]
    public async Task SecondWriter_SameRun_FailsWithClearError()
    {
        await using var first = new TensorBoardSummaryWriter(Options("shared"));

        Action second = () => _ = new TensorBoardSummaryWriter(Options("shared"));

        second.Should().Throw<InvalidOperationException>().WithMessage($"*in use by process {Environment.ProcessId}*RunFolderConflict*");
    }

    [Fact]
    public async Task SecondWriter_CreateNewRun_GetsOwnFolder()
    {
        await using var first = new TensorBoardSummaryWriter(Options("shared"));
        TensorBoardWriterOptions options = Options("shared");
        options.RunFolderConflict = RunFolderConflictPolicy.CreateNewRun;

        await using var second = new TensorBoardSummaryWriter(options);

        second.RunDirectory.Should().Be(Path.Combine(_folder.Path, "shared-2"));
        second.Fault.Should().BeNull();
    }

    [Fact]
    public async Task Dispose_RemovesLockFile()
    {
        string lockPath;
        await using (var writer = new TensorBoardSummaryWriter(Options("lock")))
        {
            lockPath = Path.Combine(writer.RunDirectory, RunFolderLock.FileName);
            File.Exists(lockPath).Should().BeTrue();
        }

        File.Exists(lockPath).Should().BeFalse();
        File.Exists(lockPath + ".owner").Should().BeFalse();
    }

    [Fact]
    public async Task StaleLockFile_IsTakenOver()
    {
        string run = Path.Combine(_folder.Path, "stale");
        Directory.CreateDirectory(run);
        await File.WriteAllTextAsync(Path.Combine(run, RunFolderLock.FileName), "pid=999999\nhost=gone\n");

        await using var writer = new TensorBoardSummaryWriter(Options("stale"));

        writer.Fault.Should().BeNull();
        writer.RunDirectory.Should().Be(run);
    }

    [Fact]
    public async Task Restart_SameRun_RecordsSessionStart()
    {
        await using (var first = new TensorBoardSummaryWriter(Options("resume")))
        {
            for (int step = 0; step < 10; step++)
            {
                first.WriteScalar("loss", step, step);
            }
        }

        // A crash after step 9 left steps 6 to 9 unsaved by the checkpoint; training resumes at step 6.
        string secondFile;
        await using (var second = new TensorBoardSummaryWriter(Options("resume")))
        {
            secondFile = second.FilePath;
            for (int step = 6; step < 12; step++)
            {
                second.WriteScalar("loss", step, 100 + step);
            }
        }

        List<Event> events = ReadEvents(secondFile);
        events[0].FileVersion.Should().Be("brain.Event:2");
        events[1].SessionLog.Status.Should().Be(SessionLog.Types.SessionStatus.Start);
        events[1].Step.Should().Be(6);
        TensorBoardRunData data = new TensorBoardLogReader().ReadLogDirectory(_folder.Path).Single();
        data.Run.EventFiles.Should().HaveCount(2);
        SummaryRecord[] loss = data.Records.Where(r => r.Tag == "loss").ToArray();
        loss.Select(r => r.Step).Should().Equal(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11);
        loss.Select(r => r.Value).Should().Equal(0, 1, 2, 3, 4, 5, 106, 107, 108, 109, 110, 111);
    }

    [Fact]
    public async Task Restart_NewFile_SortsAfterOldFiles()
    {
        string run = Path.Combine(_folder.Path, "order");
        Directory.CreateDirectory(run);
        long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        string old = $"events.out.tfevents.{now + 2:D10}.{Environment.MachineName}.{Environment.ProcessId}.99";
        await File.WriteAllBytesAsync(Path.Combine(run, old), []);

        await using var writer = new TensorBoardSummaryWriter(Options("order"));

        string.CompareOrdinal(Path.GetFileName(writer.FilePath), old).Should().BePositive();
    }

    [Fact]
    public async Task UnwritableFolder_IsReportedNotThrown()
    {
        string blocker = Path.Combine(_folder.Path, "file");
        await File.WriteAllTextAsync(blocker, "not a folder");
        var options = new TensorBoardWriterOptions { LogDirectory = Path.Combine(blocker, "logs"), RunName = "r" };
        var logger = new CapturingLogger();

        await using var writer = new TensorBoardSummaryWriter(options, logger);
        writer.WriteScalar("loss", 0, 1);
        writer.WriteScalar("loss", 1, 1);
        await writer.FlushAsync();

        writer.Fault.Should().BeAssignableTo<IOException>();
        writer.DroppedAfterFault.Should().Be(2);
        logger.Errors.Should().ContainSingle().Which.Should().Be(200);
    }

    [Fact]
    public void UnwritableFolder_FailFast_Throws()
    {
        string blocker = Path.Combine(_folder.Path, "file");
        File.WriteAllText(blocker, "not a folder");
        var options = new TensorBoardWriterOptions { LogDirectory = Path.Combine(blocker, "logs"), RunName = "r", FailFast = true };

        Action create = () => _ = new TensorBoardSummaryWriter(options);

        create.Should().Throw<IOException>();
    }

    [Fact]
    public async Task DeletedFile_IsReportedOnFlush()
    {
        await using var writer = new TensorBoardSummaryWriter(Options("deleted"));
        File.Delete(writer.FilePath);

        writer.WriteScalar("loss", 0, 1);
        await writer.FlushAsync();

        writer.Fault.Should().BeAssignableTo<IOException>().Which.Message.Should().Contain("was deleted");
    }

    [Fact]
    public void Options_Invalid_ListsEveryProblem()
    {
        var options = new TensorBoardWriterOptions { LogDirectory = " ", QueueCapacity = 1, FlushInterval = TimeSpan.Zero, RunName = "../x" };

        Action create = () => _ = new TensorBoardSummaryWriter(options);

        OptionsValidationException exception = create.Should().Throw<OptionsValidationException>().Which;
        exception.Failures.Should().HaveCount(4);
    }

    [Fact]
    public async Task FlushInterval_WritesWithoutExplicitFlush()
    {
        TensorBoardWriterOptions options = Options("timer");
        options.FlushInterval = TimeSpan.FromMilliseconds(50);
        await using var writer = new TensorBoardSummaryWriter(options);
        long headerLength = new FileInfo(writer.FilePath).Length;

        writer.WriteScalar("loss", 0, 1);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (new FileInfo(writer.FilePath).Length == headerLength && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        new FileInfo(writer.FilePath).Length.Should().BeGreaterThan(headerLength);
    }

    [Fact]
    public async Task WriteScalar_SteadyState_DoesNotAllocate()
    {
        // A small queue that never blocks: the queue's ring buffer reaches its full size during the warm-up, so
        // the measured calls show what queuing itself costs.
        TensorBoardWriterOptions options = Options("alloc");
        options.QueueCapacity = 1024;
        options.FullQueuePolicy = FullQueuePolicy.DropHistogramsFirst;
        await using var writer = new TensorBoardSummaryWriter(options);
        for (int step = 0; step < 50_000; step++)
        {
            writer.WriteScalar("loss", step, step);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int step = 50_000; step < 60_000; step++)
        {
            writer.WriteScalar("loss", step, step);
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        allocated.Should().BeLessThan(1000, "queuing 10000 scalars should not allocate per record");
    }

    [Fact]
    public async Task ConcurrentProducers_LoseAndDuplicateNothing()
    {
        const int Threads = 8;
        const int PerThread = 125_000;
        TensorBoardWriterOptions options = Options("concurrent");
        options.QueueCapacity = 4096;
        string file;
        await using (var writer = new TensorBoardSummaryWriter(options))
        {
            file = writer.FilePath;
            Thread[] producers = Enumerable.Range(0, Threads).Select(thread => new Thread(() =>
            {
                string tag = "t" + thread;
                for (int step = 0; step < PerThread; step++)
                {
                    writer.WriteScalar(tag, step, step);
                }
            })).ToArray();
            foreach (Thread producer in producers)
            {
                producer.Start();
            }

            foreach (Thread producer in producers)
            {
                producer.Join();
            }

            await writer.FlushAsync();
            writer.WrittenRecords.Should().Be(Threads * PerThread);
            writer.OutOfOrderRecords.Should().Be(0);
        }

        var keepAll = new TensorBoardReaderOptions { StepOrdering = StepOrdering.KeepAll };
        TensorBoardRunData data = new TensorBoardLogReader(keepAll).ReadRun(new TensorBoardRun("c", Path.GetDirectoryName(file)!, [file]));
        data.Issues.Should().BeEmpty();
        data.Records.Should().HaveCount(Threads * PerThread);
        foreach (IGrouping<string, SummaryRecord> series in data.Records.GroupBy(r => r.Tag))
        {
            // SequenceEqual keeps the check fast on 125000 points; a mismatch still names the tag.
            series.Select(r => r.Step).SequenceEqual(Enumerable.Range(0, PerThread).Select(i => (long)i)).Should().BeTrue("tag {0} must hold every step once, in order", series.Key);
        }
    }

    private sealed class CapturingLogger : Microsoft.Extensions.Logging.ILogger<TensorBoardSummaryWriter>
    {
        public List<int> Errors { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => true;

        public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel == Microsoft.Extensions.Logging.LogLevel.Error)
            {
                Errors.Add(eventId.Id);
            }
        }
    }

    private TensorBoardWriterOptions Options(string run) => new() { LogDirectory = _folder.Path, RunName = run };

    private static HistogramData Histogram() => new([-1, 0, 1, 99], [2, 0, 3, 99])
    {
        BucketCount = 3,
        Min = -1.5,
        Max = 0.75,
        Count = 5,
        Sum = -0.25,
        SumOfSquares = 3.125,
    };

    private static List<Event> ReadEvents(string file)
    {
        var issues = new List<EventFileIssue>();
        List<Event> events = new TensorBoardLogReader().ReadEvents(file, issues).Select(e => e.Event).ToList();
        issues.Should().BeEmpty();
        return events;
    }
}
