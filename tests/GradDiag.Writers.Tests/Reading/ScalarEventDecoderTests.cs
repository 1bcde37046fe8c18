using Google.Protobuf;
using GradDiag.Writers.Protocol;
using GradDiag.Writers.Reading;
using GradDiag.Writers.TensorBoard;

namespace GradDiag.Writers.Tests.Reading;

public class ScalarEventDecoderTests
{
    [Fact]
    public void TryDecode_SimpleScalars_MatchesProtobufParser()
    {
        var random = new Random(3);
        for (int i = 0; i < 2000; i++)
        {
            double wallTime = random.Next(3) == 0 ? 0 : 1.7e9 + random.NextDouble();
            long step = random.Next(3) == 0 ? -random.NextInt64() : random.NextInt64(0, long.MaxValue) >> random.Next(63);
            float value = (float)(random.NextDouble() * 1e6);
            string tag = "t" + new string('x', random.Next(0, 200));
            byte[] payload = EventEncoder.SimpleScalar(wallTime, step, tag, value).ToByteArray();

            bool decoded = ScalarEventDecoder.TryDecode(payload, out double decodedWallTime, out long decodedStep, out ReadOnlySpan<byte> decodedTag, out float decodedValue);

            decoded.Should().BeTrue();
            decodedWallTime.Should().Be(wallTime);
            decodedStep.Should().Be(step);
            System.Text.Encoding.UTF8.GetString(decodedTag).Should().Be(tag);
            decodedValue.Should().Be(value);
        }
    }

    [Fact]
    public void TryDecode_OtherLayouts_ReturnsFalse()
    {
        byte[][] payloads =
        [
            EventEncoder.TensorScalar(1.7e9, 1, "a", 1).ToByteArray(),
            EventEncoder.Text(1.7e9, 1, "a", "b").ToByteArray(),
            EventEncoder.FileHeader(1.7e9, "graddiag").ToByteArray(),
            EventEncoder.SessionStart(1.7e9, 3).ToByteArray(),
            TwoValues(),
            [0x2A, 0x05, 0x0A, 0x03, 0x0A, 0x01, 0x61], // a value without simple_value
            [0x2A, 0x7F], // a length past the end
        ];

        foreach (byte[] payload in payloads)
        {
            ScalarEventDecoder.TryDecode(payload, out _, out _, out _, out _).Should().BeFalse(Convert.ToHexString(payload));
        }
    }

    private static byte[] TwoValues()
    {
        Event message = EventEncoder.SimpleScalar(1.7e9, 1, "a", 1);
        message.Summary.Value.Add(new Summary.Types.Value { Tag = "b", SimpleValue = 2 });
        return message.ToByteArray();
    }
}
