using System.Buffers.Binary;
using Google.Protobuf;
using GradDiag.Writers.Framing;
using GradDiag.Writers.Protocol;
using GradDiag.Writers.TensorBoard;

namespace GradDiag.Writers.Tests.TensorBoard;

public class EventEncoderTests
{
    [Fact]
    public void FileHeader_SpecRecord_IsByteExact()
    {
        Event header = new() { WallTime = 1700000000.5, FileVersion = EventEncoder.FileVersion };

        header.ToByteArray().Should().Equal(TestFiles.Hex("09 00 00 20 40 fc 54 d9 41 1a 0d 62 72 61 69 6e 2e 45 76 65 6e 74 3a 32"));
    }

    [Fact]
    public void TensorScalar_SpecVector_IsByteExact()
    {
        byte[] payload = EventEncoder.TensorScalar(1700000001.25, 7, "grad_norm/total", 0.5f).ToByteArray();

        payload.Should().Equal(TestFiles.Hex("09 00 00 50 40 fc 54 d9 41 10 07 2a 2e 0a 2c 0a 0f 67 72 61 64 5f 6e 6f 72 6d 2f 74 6f 74 61 6c 42 0a 08 01 12 00 22 04 00 00 00 3f 4a 0d 0a 09 0a 07 73 63 61 6c 61 72 73 20 01"));
        byte[] record = RecordFraming.Frame(payload);
        record.AsSpan(0, 12).ToArray().Should().Equal(TestFiles.Hex("3b 00 00 00 00 00 00 00 1a 23 ac 5c"));
        record.AsSpan(record.Length - 4).ToArray().Should().Equal(TestFiles.Hex("6d 97 ca 1d"));
    }

    [Fact]
    public void SimpleScalar_SpecVector_IsByteExact()
    {
        byte[] expected = TestFiles.Hex("09 00 00 80 40 fc 54 d9 41 10 03 2a 0d 0a 0b 0a 04 6c 6f 73 73 15 00 00 c0 3f");
        Span<byte> buffer = stackalloc byte[EventEncoder.MaxSimpleScalarSize(4)];

        int length = EventEncoder.EncodeSimpleScalar(buffer, 1700000002.0, 3, "loss"u8, 1.5f);

        buffer[..length].ToArray().Should().Equal(expected);
        EventEncoder.SimpleScalar(1700000002.0, 3, "loss", 1.5f).ToByteArray().Should().Equal(expected);
        byte[] record = RecordFraming.Frame(expected);
        record.AsSpan(0, 12).ToArray().Should().Equal(TestFiles.Hex("1a 00 00 00 00 00 00 00 12 9b d8 2d"));
        record.AsSpan(record.Length - 4).ToArray().Should().Equal(TestFiles.Hex("b8 3e 81 7e"));
    }

    [Fact]
    public void EncodeSimpleScalar_RandomInputs_MatchProtobufLibrary()
    {
        var random = new Random(11);
        long[] steps = [0, 1, 127, 128, 16383, 16384, long.MaxValue, -1, int.MaxValue];
        float[] values = [0f, -0f, 1.5f, float.NaN, float.PositiveInfinity, float.NegativeInfinity, float.Epsilon, float.MaxValue];
        foreach (long step in steps)
        {
            foreach (float value in values)
            {
                string tag = new string('t', random.Next(0, 300));
                byte[] tagBytes = System.Text.Encoding.UTF8.GetBytes(tag);
                byte[] buffer = new byte[EventEncoder.MaxSimpleScalarSize(tagBytes.Length)];
                double wallTime = random.Next(2) == 0 ? 0 : 1.7e9 + random.NextDouble();

                int length = EventEncoder.EncodeSimpleScalar(buffer, wallTime, step, tagBytes, value);

                buffer.AsSpan(0, length).ToArray().Should().Equal(EventEncoder.SimpleScalar(wallTime, step, tag, value).ToByteArray(), "step {0}, value {1}, tag length {2}", step, value, tag.Length);
            }
        }
    }

    [Fact]
    public void TensorflowScalar_SpecVector_CrcsMatch()
    {
        byte[] payload = TestFiles.Hex("09 c4 05 b7 3d 99 d6 d7 41 10 4d 2a 25 0a 23 0a 08 61 63 63 75 72 61 63 79 42 0a 08 01 12 00 22 04 a4 70 7d 3f 4a 0b 0a 09 0a 07 73 63 61 6c 61 72 73");

        byte[] record = RecordFraming.Frame(payload);
        Event decoded = Event.Parser.ParseFrom(payload);

        BinaryPrimitives.ReadUInt32LittleEndian(record.AsSpan(8)).Should().Be(0xEC561924u);
        BinaryPrimitives.ReadUInt32LittleEndian(record.AsSpan(record.Length - 4)).Should().Be(0x33645BA5u);
        decoded.Step.Should().Be(77);
        decoded.Summary.Value[0].Tag.Should().Be("accuracy");
        decoded.Summary.Value[0].Metadata.PluginData.PluginName.Should().Be("scalars");
    }

    [Fact]
    public void HistogramTensor_SpecVector_CrcsMatch()
    {
        var tensor = new TensorProto { Dtype = DataType.DtDouble, TensorShape = new TensorShapeProto() };
        tensor.TensorShape.Dim.Add(new TensorShapeProto.Types.Dim { Size = 2 });
        tensor.TensorShape.Dim.Add(new TensorShapeProto.Types.Dim { Size = 3 });
        byte[] cells = new byte[48];
        double[] rows = [0, 1, 3, 1, 2, 5];
        for (int i = 0; i < rows.Length; i++)
        {
            BinaryPrimitives.WriteDoubleLittleEndian(cells.AsSpan(i * 8), rows[i]);
        }

        tensor.TensorContent = ByteString.CopyFrom(cells);
        var value = new Summary.Types.Value
        {
            Tag = "grads/w",
            Tensor = tensor,
            Metadata = new SummaryMetadata { PluginData = new SummaryMetadata.Types.PluginData { PluginName = "histograms" }, DataClass = DataClass.Tensor },
        };
        var summary = new Summary();
        summary.Value.Add(value);
        byte[] payload = new Event { WallTime = 1700000003.0, Step = 1, Summary = summary }.ToByteArray();

        byte[] record = RecordFraming.Frame(payload);

        tensor.ToByteArray().AsSpan(0, 14).ToArray().Should().Equal(TestFiles.Hex("08 02 12 08 12 02 08 02 12 02 08 03 22 30"));
        payload.Length.Should().Be(106);
        BinaryPrimitives.ReadUInt32LittleEndian(record.AsSpan(8)).Should().Be(0x67ED81AFu);
        BinaryPrimitives.ReadUInt32LittleEndian(record.AsSpan(record.Length - 4)).Should().Be(0x9138723Bu);
    }

    [Fact]
    public void SessionStartContent_SpecVector_IsByteExact()
    {
        var hyperparameters = new Dictionary<string, object> { ["lr"] = 0.001, ["opt"] = "adam" };

        byte[] content = EventEncoder.SessionStartContent(hyperparameters, 0).ToByteArray();

        content.Should().Equal(TestFiles.Hex("1a 20 0a 0f 0a 02 6c 72 12 09 11 fc a9 f1 d2 4d 62 50 3f 0a 0d 0a 03 6f 70 74 12 06 1a 04 61 64 61 6d"));
    }

    [Fact]
    public void Hyperparameters_Placeholder_IsEmptyFloatTensor()
    {
        Event message = EventEncoder.Hyperparameters(1.7e9, new Dictionary<string, object> { ["batch"] = 32 });
        Summary.Types.Value value = message.Summary.Value[0];

        value.Tensor.ToByteArray().Should().Equal(TestFiles.Hex("08 01 12 02 12 00"));
        value.Tag.Should().Be("_hparams_/session_start_info");
        value.Metadata.PluginData.PluginName.Should().Be("hparams");
        message.Step.Should().Be(0);
    }

    [Fact]
    public void Text_Value_IsRankZeroStringWithTextPlugin()
    {
        Summary.Types.Value value = EventEncoder.Text(1.7e9, 4, "notes", "hello").Summary.Value[0];

        value.Tensor.Dtype.Should().Be(DataType.DtString);
        value.Tensor.TensorShape.Dim.Should().BeEmpty();
        value.Tensor.StringVal.Single().ToStringUtf8().Should().Be("hello");
        value.Metadata.PluginData.PluginName.Should().Be("text");
        value.Metadata.PluginData.Content.IsEmpty.Should().BeTrue();
    }

    [Fact]
    public void SessionStart_Event_HasStartStatusAndStep()
    {
        Event message = EventEncoder.SessionStart(1.7e9, 120);

        message.Step.Should().Be(120);
        message.SessionLog.Status.Should().Be(SessionLog.Types.SessionStatus.Start);
    }
}
