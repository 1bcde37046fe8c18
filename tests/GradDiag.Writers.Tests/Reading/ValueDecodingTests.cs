using System.Buffers.Binary;
using Google.Protobuf;
using GradDiag.Writers.Framing;
using GradDiag.Writers.Protocol;
using GradDiag.Writers.Reading;

namespace GradDiag.Writers.Tests.Reading;

public sealed class ValueDecodingTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void TensorScalar_FloatValList_IsRead()
    {
        var tensor = new TensorProto { Dtype = DataType.DtFloat };
        tensor.FloatVal.Add(0.5f);

        SummaryRecord record = ReadSingle(Value("acc", tensor, "scalars"));

        record.Kind.Should().Be(SummaryRecordKind.Scalar);
        record.Value.Should().Be(0.5);
    }

    [Fact]
    public void TensorScalar_DoubleShapeOne_IsRead()
    {
        var tensor = new TensorProto { Dtype = DataType.DtDouble, TensorShape = Shape(1) };
        tensor.DoubleVal.Add(double.NegativeInfinity);

        SummaryRecord record = ReadSingle(Value("x", tensor, "scalars"));

        record.Value.Should().Be(double.NegativeInfinity);
    }

    [Fact]
    public void TensorScalar_HalfContent_IsRead()
    {
        byte[] content = new byte[2];
        BinaryPrimitives.WriteHalfLittleEndian(content, (Half)1.5);
        var tensor = new TensorProto { Dtype = DataType.DtHalf, TensorContent = ByteString.CopyFrom(content) };

        SummaryRecord record = ReadSingle(Value("x", tensor, "scalars"));

        record.Value.Should().Be(1.5);
    }

    [Fact]
    public void TextTensor_RankOne_JoinsCells()
    {
        var tensor = new TensorProto { Dtype = DataType.DtString, TensorShape = Shape(2) };
        tensor.StringVal.Add(ByteString.CopyFromUtf8("a"));
        tensor.StringVal.Add(ByteString.CopyFromUtf8("b"));

        SummaryRecord record = ReadSingle(Value("notes/text_summary", tensor, "text"));

        record.Text.Should().Be("a\nb");
    }

    [Fact]
    public void HistogramTensor_FloatRowsFromList_IsRead()
    {
        var tensor = new TensorProto { Dtype = DataType.DtFloat, TensorShape = Shape(2, 3) };
        tensor.FloatVal.Add([0, 1, 3, 1, 2, 5]);

        HistogramData histogram = ReadSingle(Value("h", tensor, "histograms")).Histogram!;

        histogram.BucketLimits.Should().Equal(1, 2);
        histogram.BucketCounts.Should().Equal(3, 5);
        histogram.Min.Should().Be(0);
        histogram.Max.Should().Be(2);
        histogram.Count.Should().Be(8);
    }

    [Fact]
    public void Metadata_OnlyOnFirstValue_AppliesToLaterValues()
    {
        var first = new TensorProto { Dtype = DataType.DtFloat };
        first.FloatVal.Add(1);
        var second = new TensorProto { Dtype = DataType.DtFloat };
        second.FloatVal.Add(2);

        TensorBoardRunData data = ReadEvents(Event(1, Value("acc", first, "scalars")), Event(2, new Summary.Types.Value { Tag = "acc", Tensor = second }));

        data.Records.Select(r => r.Value).Should().Equal(1, 2);
    }

    [Fact]
    public void EmptyTag_UsesNodeName()
    {
        SummaryRecord record = ReadSingle(new Summary.Types.Value { NodeName = "old_style", SimpleValue = 3 });

        record.Tag.Should().Be("old_style");
    }

    [Fact]
    public void RepeatedStep_ReplaceLaterSteps_KeepsLatestAndTruncates()
    {
        Event[] events = [Event(1, Simple(1)), Event(2, Simple(2)), Event(3, Simple(3)), Event(2, Simple(20))];

        TensorBoardRunData replaced = ReadEvents(events);
        TensorBoardRunData kept = ReadEvents(StepOrdering.KeepAll, events);

        replaced.Records.Select(r => (r.Step, r.Value)).Should().Equal((1L, 1.0), (2L, 20.0));
        kept.Records.Select(r => (r.Step, r.Value)).Should().Equal((1L, 1.0), (2L, 2.0), (2L, 20.0), (3L, 3.0));
    }

    [Fact]
    public void TickWallTime_IsConvertedToSeconds()
    {
        var firstEvent = new Event { WallTime = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc).Ticks, Step = 0 };
        firstEvent.Summary = new Summary();
        firstEvent.Summary.Value.Add(Simple(1));

        SummaryRecord record = ReadEvents(firstEvent).Records.Single();

        record.WallTime.Should().Be(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds());
    }

    [Fact]
    public void NanWallTime_IsNaN()
    {
        var message = Event(1, Simple(1));
        message.WallTime = double.NaN;

        double.IsNaN(ReadEvents(message).Records.Single().WallTime).Should().BeTrue();
    }

    private static Summary.Types.Value Simple(float value) => new() { Tag = "loss", SimpleValue = value };

    private static TensorShapeProto Shape(params long[] sizes)
    {
        var shape = new TensorShapeProto();
        shape.Dim.Add(sizes.Select(size => new TensorShapeProto.Types.Dim { Size = size }));
        return shape;
    }

    private static Summary.Types.Value Value(string tag, TensorProto tensor, string plugin) => new()
    {
        Tag = tag,
        Tensor = tensor,
        Metadata = new SummaryMetadata { PluginData = new SummaryMetadata.Types.PluginData { PluginName = plugin } },
    };

    private static Event Event(long step, Summary.Types.Value value)
    {
        var message = new Event { WallTime = 1.7e9, Step = step, Summary = new Summary() };
        message.Summary.Value.Add(value);
        return message;
    }

    private SummaryRecord ReadSingle(Summary.Types.Value value) => ReadEvents(Event(1, value)).Records.Single();

    private TensorBoardRunData ReadEvents(params Event[] events) => ReadEvents(StepOrdering.ReplaceLaterSteps, events);

    private TensorBoardRunData ReadEvents(StepOrdering ordering, params Event[] events)
    {
        string path = Path.Combine(_folder.Path, "events.out.tfevents." + Guid.NewGuid().ToString("N"));
        using (FileStream stream = File.Create(path))
        {
            foreach (Event message in events)
            {
                stream.Write(RecordFraming.Frame(message.ToByteArray()));
            }
        }

        TensorBoardRunData data = new TensorBoardLogReader(new TensorBoardReaderOptions { StepOrdering = ordering }).ReadRun(new TensorBoardRun("r", _folder.Path, [path]));
        data.Issues.Should().BeEmpty();
        return data;
    }
}
