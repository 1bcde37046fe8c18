using GradDiag.Writers.Reading;

namespace GradDiag.Writers.Tests.Reading;

public class FixtureReadingTests
{
    private static readonly string[] PytorchTags =
    [
        "grad_norm/dense.weight", "grad_norm/dense_1.weight", "grad_norm/dense_2.weight", "grad_norm/dense_3.weight",
        "grad_norm/dense_4.weight", "grad_norm/dense_5.weight", "loss", "grad/dense.weight",
    ];

    private static readonly string[] KerasTrainTags =
    [
        "grad_norm/dense/kernel:0", "grad_norm/dense_1/kernel:0", "grad_norm/dense_2/kernel:0", "grad_norm/dense_3/kernel:0",
        "grad_norm/dense_4/kernel:0", "grad_norm/dense_5/kernel:0", "gradients/dense_5/kernel:0", "epoch_loss",
    ];

    [Theory]
    [InlineData("healthy")]
    [InlineData("vanishing")]
    [InlineData("exploding")]
    public void Pytorch_File_HasAllRecordsAndTags(string scenario)
    {
        TensorBoardRunData data = new TensorBoardLogReader().ReadLogDirectory(TestFiles.Fixture($"pytorch_{scenario}")).Single();

        data.Run.Name.Should().Be(".");
        data.Files.Single().ValidRecords.Should().Be(1405);
        data.Files.Single().TrailingBytes.Should().Be(0);
        data.Issues.Should().BeEmpty();
        data.Tags.Should().Equal(PytorchTags);
        data.Records.Where(r => r.Kind == SummaryRecordKind.Scalar).GroupBy(r => r.Tag).Should().OnlyContain(g => g.Count() == 200);
        data.Records.Where(r => r.Kind == SummaryRecordKind.Histogram).Select(r => r.Step).Should().Equal(0, 50, 100, 150);
    }

    [Theory]
    [InlineData("healthy")]
    [InlineData("vanishing")]
    [InlineData("exploding")]
    public void Keras_Folder_HasTrainAndValidationRuns(string scenario)
    {
        IReadOnlyList<TensorBoardRunData> runs = new TensorBoardLogReader().ReadLogDirectory(TestFiles.Fixture($"keras_{scenario}"));

        runs.Select(r => r.Run.Name).Should().Equal("train", "validation");
        runs.Should().OnlyContain(r => r.Files.Single().ValidRecords == 201 && r.Issues.Count == 0);
        runs[0].Tags.Should().Equal(KerasTrainTags);
        runs[0].Records.Where(r => r.Tag == "grad_norm/dense/kernel:0").Select(r => r.Step).Should().Equal(Enumerable.Range(0, 200).Select(i => (long)i));
        runs[0].Records.Where(r => r.Kind == SummaryRecordKind.Histogram).Select(r => r.Step).Should().Equal(0, 50, 100, 150);
        runs[0].Records.Where(r => r.Kind == SummaryRecordKind.Scalar).Should().OnlyContain(r => r.PluginName == "scalars");
        runs[1].Tags.Should().Equal("epoch_loss");
    }

    [Fact]
    public void Pytorch_Healthy_HasSpikesAt37And120()
    {
        TensorBoardRunData data = new TensorBoardLogReader().ReadLogDirectory(TestFiles.Fixture("pytorch_healthy")).Single();

        foreach (IGrouping<string, SummaryRecord> series in data.Records.Where(r => r.Tag.StartsWith("grad_norm/", StringComparison.Ordinal)).GroupBy(r => r.Tag))
        {
            double[] values = series.Select(r => r.Value).ToArray();
            double typical = values.Order().ElementAt(values.Length / 2);
            values[37].Should().BeGreaterThan(10 * typical, "series {0} spikes at step 37", series.Key);
            values[120].Should().BeGreaterThan(10 * typical, "series {0} spikes at step 120", series.Key);
            values[36].Should().BeLessThan(3 * typical, "series {0} is calm at step 36", series.Key);
        }

        data.Records.First(r => r.Tag == "grad_norm/dense.weight").Value.Should().BeApproximately(0.5500922799110413, 1e-12);
        data.Records.First(r => r.Tag == "loss").Value.Should().Be(2);
    }

    [Fact]
    public void Pytorch_Exploding_GrowsGeometricallyAfterStep60()
    {
        TensorBoardRunData data = new TensorBoardLogReader().ReadLogDirectory(TestFiles.Fixture("pytorch_exploding")).Single();

        foreach (IGrouping<string, SummaryRecord> series in data.Records.Where(r => r.Tag.StartsWith("grad_norm/", StringComparison.Ordinal)).GroupBy(r => r.Tag))
        {
            double[] values = series.Select(r => r.Value).ToArray();
            values[50].Should().BeLessThan(5, "series {0} is steady before step 60", series.Key);
            values[120].Should().BeGreaterThan(1e5, "series {0} grows after step 60", series.Key);
            values[199].Should().BeGreaterThan(1e14, "series {0} ends many orders of magnitude up", series.Key);
        }
    }

    [Fact]
    public void Pytorch_Histogram_KeepsMoments()
    {
        TensorBoardRunData data = new TensorBoardLogReader().ReadLogDirectory(TestFiles.Fixture("pytorch_healthy")).Single();

        HistogramData histogram = data.Records.First(r => r.Kind == SummaryRecordKind.Histogram).Histogram!;

        histogram.BucketCount.Should().Be(30);
        histogram.Count.Should().Be(500);
        histogram.BucketCounts.Sum().Should().Be(500);
        histogram.Min.Should().BeApproximately(-1.7885911387929034, 1e-12);
        histogram.Max.Should().BeApproximately(1.3955453461008094, 1e-12);
        histogram.Sum.Should().BeApproximately(-34.55545316368832, 1e-9);
    }

    [Fact]
    public void Keras_TensorHistogram_ConvertsRows()
    {
        TensorBoardRunData train = new TensorBoardLogReader().ReadLogDirectory(TestFiles.Fixture("keras_healthy"))[0];

        HistogramData histogram = train.Records.First(r => r.Kind == SummaryRecordKind.Histogram).Histogram!;

        histogram.BucketCount.Should().Be(30);
        histogram.Count.Should().Be(300);
        histogram.Min.Should().BeApproximately(-3.2514384154965383, 1e-12);
        histogram.Max.Should().BeApproximately(2.2447566264860495, 1e-12);
        double.IsNaN(histogram.Sum).Should().BeTrue();
    }

    [Fact]
    public void Bitflip_ReportsDataCrcFailureAndKeepsTheRest()
    {
        string file = TestFiles.Fixture("damaged", "bitflip.events.out.tfevents.1");

        TensorBoardRunData data = new TensorBoardLogReader().ReadRun(new TensorBoardRun("d", Path.GetDirectoryName(file)!, [file]));

        data.Files.Single().ValidRecords.Should().Be(1404);
        data.Files.Single().CorruptRecords.Should().Be(1);
        EventFileIssue issue = data.Issues.Single();
        issue.Kind.Should().Be(EventFileIssueKind.DataCrcMismatch);
        issue.Offset.Should().Be(4962);
        issue.FilePath.Should().Be(file);
        issue.Message.Should().Contain("46-byte payload");
    }

    [Fact]
    public void Bitflip_StopFile_StopsAtTheBadRecord()
    {
        string file = TestFiles.Fixture("damaged", "bitflip.events.out.tfevents.1");
        var reader = new TensorBoardLogReader(new TensorBoardReaderOptions { CorruptRecords = CorruptRecordHandling.StopFile });

        TensorBoardRunData data = reader.ReadRun(new TensorBoardRun("d", Path.GetDirectoryName(file)!, [file]));

        data.Files.Single().ValidRecords.Should().BeLessThan(1404);
        data.Issues.Single().Offset.Should().Be(4962);
    }

    [Fact]
    public void Bitflip_Throw_ThrowsFormatExceptionWithOffset()
    {
        string file = TestFiles.Fixture("damaged", "bitflip.events.out.tfevents.1");
        var reader = new TensorBoardLogReader(new TensorBoardReaderOptions { CorruptRecords = CorruptRecordHandling.Throw });

        Action read = () => reader.ReadRun(new TensorBoardRun("d", Path.GetDirectoryName(file)!, [file]));

        TensorBoardFormatException exception = read.Should().Throw<TensorBoardFormatException>().Which;
        exception.Offset.Should().Be(4962);
        exception.FilePath.Should().Be(file);
    }

    [Fact]
    public void Truncated_StopsAtLastWholeRecord()
    {
        string file = TestFiles.Fixture("damaged", "truncated.events.out.tfevents.1");

        TensorBoardRunData data = new TensorBoardLogReader().ReadRun(new TensorBoardRun("t", Path.GetDirectoryName(file)!, [file]));

        data.Files.Single().ValidRecords.Should().Be(1404);
        data.Files.Single().TrailingBytes.Should().Be(36);
        EventFileIssue issue = data.Issues.Single();
        issue.Kind.Should().Be(EventFileIssueKind.TruncatedRecord);
        issue.Offset.Should().Be(85278);
        issue.Message.Should().Contain("27 payload bytes");
    }

    [Fact]
    public void DamagedFolder_IsOneRunOfTwoFiles()
    {
        TensorBoardLogDirectory log = TensorBoardLogReader.ScanLogDirectory(TestFiles.Fixture("damaged"));

        log.Runs.Single().Name.Should().Be(".");
        log.Runs.Single().EventFiles.Select(Path.GetFileName).Should().Equal("bitflip.events.out.tfevents.1", "truncated.events.out.tfevents.1");
    }

    [Fact]
    public void FixtureRoot_FindsEveryRun()
    {
        TensorBoardLogDirectory log = TensorBoardLogReader.ScanLogDirectory(TestFiles.Fixture());

        log.Runs.Select(r => r.Name).Should().Equal(
            "damaged", "keras_exploding/train", "keras_exploding/validation", "keras_healthy/train", "keras_healthy/validation",
            "keras_vanishing/train", "keras_vanishing/validation", "pytorch_exploding", "pytorch_healthy", "pytorch_vanishing");
        log.IgnoredFileCount.Should().Be(1, "README.md is not an event file");
    }
}
