using System.Buffers.Binary;

namespace GradDiag.Writers.Reading;

/// <summary>
/// Decodes the most common event, Event{wall_time, step, summary{value{tag, simple_value}}}, without building
/// protobuf objects. Any other layout (another field, a repeated field, a second value, metadata) is left to the
/// full parser by returning false.
/// </summary>
internal static class ScalarEventDecoder
{
    public static bool TryDecode(ReadOnlySpan<byte> payload, out double wallTime, out long step, out ReadOnlySpan<byte> tag, out float value)
    {
        wallTime = 0;
        step = 0;
        tag = default;
        value = 0;
        ReadOnlySpan<byte> summary = default;
        bool seenWallTime = false;
        bool seenStep = false;
        bool seenSummary = false;
        while (!payload.IsEmpty)
        {
            byte key = payload[0];
            payload = payload[1..];
            switch (key)
            {
                case 0x09 when !seenWallTime && payload.Length >= 8:
                    wallTime = BinaryPrimitives.ReadDoubleLittleEndian(payload);
                    payload = payload[8..];
                    seenWallTime = true;
                    break;
                case 0x10 when !seenStep && TryReadVarint(ref payload, out ulong rawStep):
                    step = (long)rawStep;
                    seenStep = true;
                    break;
                case 0x2A when !seenSummary && TryReadLengthDelimited(ref payload, out summary):
                    seenSummary = true;
                    break;
                default:
                    return false;
            }
        }

        if (!seenSummary || summary.IsEmpty || summary[0] != 0x0A)
        {
            return false;
        }

        summary = summary[1..];
        if (!TryReadLengthDelimited(ref summary, out ReadOnlySpan<byte> summaryValue) || !summary.IsEmpty)
        {
            return false;
        }

        bool seenTag = false;
        bool seenValue = false;
        while (!summaryValue.IsEmpty)
        {
            byte key = summaryValue[0];
            summaryValue = summaryValue[1..];
            switch (key)
            {
                case 0x0A when !seenTag && TryReadLengthDelimited(ref summaryValue, out tag):
                    seenTag = true;
                    break;
                case 0x15 when !seenValue && summaryValue.Length >= 4:
                    value = BinaryPrimitives.ReadSingleLittleEndian(summaryValue);
                    summaryValue = summaryValue[4..];
                    seenValue = true;
                    break;
                default:
                    return false;
            }
        }

        return seenTag && seenValue && !tag.IsEmpty;
    }

    private static bool TryReadLengthDelimited(scoped ref ReadOnlySpan<byte> data, out ReadOnlySpan<byte> field)
    {
        field = default;
        if (!TryReadVarint(ref data, out ulong length) || length > (ulong)data.Length)
        {
            return false;
        }

        field = data[..(int)length];
        data = data[(int)length..];
        return true;
    }

    private static bool TryReadVarint(scoped ref ReadOnlySpan<byte> data, out ulong value)
    {
        value = 0;
        for (int i = 0; i < 10 && i < data.Length; i++)
        {
            byte current = data[i];
            value |= (ulong)(current & 0x7F) << (7 * i);
            if (current < 0x80)
            {
                data = data[(i + 1)..];
                return true;
            }
        }

        return false;
    }
}
