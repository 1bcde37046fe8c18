using System.Buffers;
using System.Globalization;
using Google.Protobuf;
using GradDiag.Writers.Framing;
using GradDiag.Writers.Protocol;

namespace GradDiag.Writers.Reading;

/// <summary>
/// Reads the framed records of one event file. Every declared length is checked against the bytes left in the
/// file and against <see cref="TensorBoardReaderOptions.MaxRecordLength"/> before any buffer is sized from it,
/// so corrupt input cannot cause a large allocation or a read past the end.
/// </summary>
internal static class EventFileReader
{
    private const int MaxReusedBufferSize = 1024 * 1024;

    /// <summary>Reads every valid record of <paramref name="path"/> and hands each decoded event to <paramref name="onEvent"/>.</summary>
    /// <exception cref="TensorBoardFormatException">A record is corrupt and the options ask to throw.</exception>
    public static EventFileSummary Read(string path, TensorBoardReaderOptions options, List<EventFileIssue> issues, Action<long, Event> onEvent)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 64 * 1024, FileOptions.SequentialScan);
        long fileLength = stream.Length;
        long offset = 0;
        long valid = 0;
        long corrupt = 0;
        long trailing = 0;
        Span<byte> header = stackalloc byte[RecordFraming.HeaderSize];
        byte[] buffer = ArrayPool<byte>.Shared.Rent(4096);
        try
        {
            while (offset < fileLength)
            {
                long remaining = fileLength - offset;
                if (remaining < RecordFraming.HeaderSize)
                {
                    trailing = remaining;
                    issues.Add(Issue(path, offset, EventFileIssueKind.TruncatedRecord, $"The file ends {remaining} bytes into a record header of {RecordFraming.HeaderSize} bytes."));
                    break;
                }

                if (stream.Position != offset)
                {
                    stream.Position = offset;
                }

                stream.ReadExactly(header);
                bool lengthValid = RecordFraming.TryReadHeader(header, out ulong length);
                if (!lengthValid || length > (ulong)options.MaxRecordLength)
                {
                    corrupt++;
                    EventFileIssueKind kind = lengthValid ? EventFileIssueKind.RecordTooLarge : EventFileIssueKind.LengthCrcMismatch;
                    string message = lengthValid
                        ? $"The record declares a payload of {length} bytes, more than the limit of {options.MaxRecordLength} bytes."
                        : "The CRC of the record's length field does not match, so its length cannot be trusted.";
                    if (!HandleCorruption(path, offset, kind, message, options, issues))
                    {
                        break;
                    }

                    long next = FindNextRecord(stream, offset + 1, fileLength, options.MaxRecordLength);
                    issues.Add(Issue(path, offset, EventFileIssueKind.SkippedBytes, next < 0
                        ? $"No valid record follows; the last {fileLength - offset} bytes were skipped."
                        : $"Skipped {next - offset} bytes to the next valid record at offset {next}."));
                    if (next < 0)
                    {
                        break;
                    }

                    offset = next;
                    continue;
                }

                int payloadLength = (int)length;
                if ((long)length + RecordFraming.Overhead > remaining)
                {
                    trailing = remaining;
                    issues.Add(Issue(path, offset, EventFileIssueKind.TruncatedRecord, $"The file ends inside a record: it declares {length} payload bytes, but only {remaining} of its {(long)length + RecordFraming.Overhead} bytes are present."));
                    break;
                }

                int needed = payloadLength + RecordFraming.FooterSize;
                if (buffer.Length < needed)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = needed <= MaxReusedBufferSize ? ArrayPool<byte>.Shared.Rent(needed) : new byte[needed];
                }

                stream.ReadExactly(buffer, 0, needed);
                ReadOnlySpan<byte> payload = buffer.AsSpan(0, payloadLength);
                if (!RecordFraming.CheckFooter(payload, buffer.AsSpan(payloadLength, RecordFraming.FooterSize)))
                {
                    corrupt++;
                    if (!HandleCorruption(path, offset, EventFileIssueKind.DataCrcMismatch, $"The CRC of the record's {payloadLength}-byte payload does not match.", options, issues))
                    {
                        break;
                    }

                    offset += needed + RecordFraming.HeaderSize;
                    continue;
                }

                Event? decoded = TryParse(payload, out string? error);
                if (decoded is null)
                {
                    corrupt++;
                    if (!HandleCorruption(path, offset, EventFileIssueKind.InvalidEvent, $"The {payloadLength}-byte payload passed its CRC check but is not a valid Event message: {error}", options, issues))
                    {
                        break;
                    }

                    offset += needed + RecordFraming.HeaderSize;
                    continue;
                }

                valid++;
                onEvent(offset, decoded);
                offset += needed + RecordFraming.HeaderSize;
            }
        }
        finally
        {
            if (buffer.Length <= MaxReusedBufferSize)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }

        return new EventFileSummary(path, valid, corrupt, trailing);
    }

    private static Event? TryParse(ReadOnlySpan<byte> payload, out string? error)
    {
        try
        {
            error = null;
            return Event.Parser.ParseFrom(payload);
        }
        catch (InvalidProtocolBufferException exception)
        {
            error = exception.Message;
            return null;
        }
    }

    /// <summary>Records the issue and returns true when reading goes on; throws when the options say so.</summary>
    private static bool HandleCorruption(string path, long offset, EventFileIssueKind kind, string message, TensorBoardReaderOptions options, List<EventFileIssue> issues)
    {
        EventFileIssue issue = Issue(path, offset, kind, message);
        issues.Add(issue);
        return options.CorruptRecords switch
        {
            CorruptRecordHandling.Skip => true,
            CorruptRecordHandling.StopFile => false,
            _ => throw new TensorBoardFormatException($"Corrupt record in '{path}' at offset {offset}: {message}", path, offset),
        };
    }

    /// <summary>Scans forward for the next offset where a whole record with valid length and data CRCs starts; -1 when none.</summary>
    private static long FindNextRecord(FileStream stream, long start, long fileLength, long maxRecordLength)
    {
        const int ChunkSize = 64 * 1024;
        byte[] chunk = ArrayPool<byte>.Shared.Rent(ChunkSize + RecordFraming.HeaderSize);
        try
        {
            for (long chunkStart = start; chunkStart + RecordFraming.Overhead <= fileLength; chunkStart += ChunkSize)
            {
                stream.Position = chunkStart;
                int count = (int)Math.Min(ChunkSize + RecordFraming.HeaderSize - 1, fileLength - chunkStart);
                stream.ReadExactly(chunk, 0, count);
                for (int i = 0; i < Math.Min(ChunkSize, count - RecordFraming.HeaderSize + 1); i++)
                {
                    long candidate = chunkStart + i;
                    if (RecordFraming.TryReadHeader(chunk.AsSpan(i, RecordFraming.HeaderSize), out ulong length)
                        && length <= (ulong)maxRecordLength
                        && (long)length + RecordFraming.Overhead <= fileLength - candidate
                        && PayloadMatches(stream, candidate, (int)length))
                    {
                        return candidate;
                    }
                }
            }

            return -1;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
    }

    private static bool PayloadMatches(FileStream stream, long offset, int length)
    {
        long saved = stream.Position;
        byte[] payload = ArrayPool<byte>.Shared.Rent(length + RecordFraming.FooterSize);
        try
        {
            stream.Position = offset + RecordFraming.HeaderSize;
            stream.ReadExactly(payload, 0, length + RecordFraming.FooterSize);
            return RecordFraming.CheckFooter(payload.AsSpan(0, length), payload.AsSpan(length, RecordFraming.FooterSize));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(payload);
            stream.Position = saved;
        }
    }

    private static EventFileIssue Issue(string path, long offset, EventFileIssueKind kind, string message) =>
        new(path, offset, kind, string.Create(CultureInfo.InvariantCulture, $"{kind} at offset {offset} of '{path}': {message}"));
}
