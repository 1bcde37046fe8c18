using System.Buffers.Binary;

namespace GradDiag.Writers.Framing;

/// <summary>
/// TFRecord framing: an unsigned 64-bit little-endian length, its masked CRC-32C, the payload, and the
/// payload's masked CRC-32C. There is no file header or footer.
/// </summary>
internal static class RecordFraming
{
    /// <summary>The bytes before the payload: length and length CRC.</summary>
    public const int HeaderSize = 12;

    /// <summary>The bytes after the payload: the payload CRC.</summary>
    public const int FooterSize = 4;

    /// <summary>The framing bytes added to each payload.</summary>
    public const int Overhead = HeaderSize + FooterSize;

    /// <summary>Writes the 12-byte header for a payload of <paramref name="payloadLength"/> bytes.</summary>
    public static void WriteHeader(Span<byte> destination, int payloadLength)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(destination, (ulong)payloadLength);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[8..], Crc32C.ComputeMasked(destination[..8]));
    }

    /// <summary>Writes the 4-byte footer, the masked CRC-32C of <paramref name="payload"/>.</summary>
    public static void WriteFooter(Span<byte> destination, ReadOnlySpan<byte> payload) =>
        BinaryPrimitives.WriteUInt32LittleEndian(destination, Crc32C.ComputeMasked(payload));

    /// <summary>Frames <paramref name="payload"/> into a new array, header and footer included.</summary>
    public static byte[] Frame(ReadOnlySpan<byte> payload)
    {
        var record = new byte[payload.Length + Overhead];
        WriteHeader(record, payload.Length);
        payload.CopyTo(record.AsSpan(HeaderSize));
        WriteFooter(record.AsSpan(HeaderSize + payload.Length), payload);
        return record;
    }

    /// <summary>Checks a 12-byte header and returns the payload length it declares.</summary>
    /// <returns>False when the stored length CRC does not match the length bytes.</returns>
    public static bool TryReadHeader(ReadOnlySpan<byte> header, out ulong payloadLength)
    {
        payloadLength = BinaryPrimitives.ReadUInt64LittleEndian(header);
        uint stored = BinaryPrimitives.ReadUInt32LittleEndian(header[8..]);
        return stored == Crc32C.ComputeMasked(header[..8]);
    }

    /// <summary>Checks a payload against its 4-byte footer.</summary>
    public static bool CheckFooter(ReadOnlySpan<byte> payload, ReadOnlySpan<byte> footer) =>
        BinaryPrimitives.ReadUInt32LittleEndian(footer) == Crc32C.ComputeMasked(payload);
}
