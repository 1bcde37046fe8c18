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
    /// <summary>Reads every valid record of <paramref name="path"/> and hands it to <paramref name="consumer"/>.</summary>
    /// <exception cref="TensorBoardFormatException">A record is corrupt and the options ask to throw.</exception>
    public static EventFileSummary Read(string path, TensorBoardReaderOptions options, List<EventFileIssue> issues, IEventConsumer consumer)
    {
        using var file = new FileWindow(path);
        long fileLength = file.Length;
        long offset = 0;
        long valid = 0;
        long corrupt = 0;
        long trailing = 0;
        while (offset < fileLength)
        {
            long remaining = fileLength - offset;
            if (remaining < RecordFraming.HeaderSize)
            {
                trailing = remaining;
                issues.Add(Issue(path, offset, EventFileIssueKind.TruncatedRecord, $"The file ends {remaining} bytes into a record header of {RecordFraming.HeaderSize} bytes."));
                break;
            }

            bool lengthValid = RecordFraming.TryReadHeader(file.Get(offset, RecordFraming.HeaderSize), out ulong length);
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

                long next = FindNextRecord(file, offset + 1, options.MaxRecordLength);
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

            if ((long)length + RecordFraming.Overhead > remaining)
            {
                trailing = remaining;
                issues.Add(Issue(path, offset, EventFileIssueKind.TruncatedRecord, $"The file ends inside a record: it declares {length} payload bytes, but only {remaining} of its {(long)length + RecordFraming.Overhead} bytes are present."));
                break;
            }

            int payloadLength = (int)length;
            long recordOffset = offset;
            ReadOnlySpan<byte> record = file.Get(offset, payloadLength + RecordFraming.Overhead);
            ReadOnlySpan<byte> payload = record.Slice(RecordFraming.HeaderSize, payloadLength);
            offset += payloadLength + RecordFraming.Overhead;
            if (!RecordFraming.CheckFooter(payload, record[(RecordFraming.HeaderSize + payloadLength)..]))
            {
                corrupt++;
                if (!HandleCorruption(path, recordOffset, EventFileIssueKind.DataCrcMismatch, $"The CRC of the record's {payloadLength}-byte payload does not match.", options, issues))
                {
                    break;
                }

                continue;
            }

            if (consumer.AcceptsScalars && ScalarEventDecoder.TryDecode(payload, out double wallTime, out long step, out ReadOnlySpan<byte> tag, out float value))
            {
                valid++;
                consumer.OnScalar(recordOffset, wallTime, step, tag, value);
                continue;
            }

            Event? decoded = TryParse(payload, out string? error);
            if (decoded is null)
            {
                corrupt++;
                if (!HandleCorruption(path, recordOffset, EventFileIssueKind.InvalidEvent, $"The {payloadLength}-byte payload passed its CRC check but is not a valid Event message: {error}", options, issues))
                {
                    break;
                }

                continue;
            }

            valid++;
            consumer.OnEvent(recordOffset, decoded);
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

    /// <summary>Records the issue and returns true when reading goes on; throws when the options request it.</summary>
    private static bool HandleCorruption(string path, long offset, EventFileIssueKind kind, string message, TensorBoardReaderOptions options, List<EventFileIssue> issues)
    {
        issues.Add(Issue(path, offset, kind, message));
        return options.CorruptRecords switch
        {
            CorruptRecordHandling.Skip => true,
            CorruptRecordHandling.StopFile => false,
            _ => throw new TensorBoardFormatException($"Corrupt record in '{path}' at offset {offset}: {message}", path, offset),
        };
    }

    /// <summary>Scans forward for the next offset where a whole record with valid length and data CRCs starts; -1 when none.</summary>
    private static long FindNextRecord(FileWindow file, long start, long maxRecordLength)
    {
        for (long candidate = start; candidate + RecordFraming.Overhead <= file.Length; candidate++)
        {
            if (RecordFraming.TryReadHeader(file.Get(candidate, RecordFraming.HeaderSize), out ulong length)
                && length <= (ulong)maxRecordLength
                && (long)length + RecordFraming.Overhead <= file.Length - candidate)
            {
                ReadOnlySpan<byte> record = file.Get(candidate, (int)length + RecordFraming.Overhead);
                if (RecordFraming.CheckFooter(record.Slice(RecordFraming.HeaderSize, (int)length), record[(RecordFraming.HeaderSize + (int)length)..]))
                {
                    return candidate;
                }
            }
        }

        return -1;
    }

    private static EventFileIssue Issue(string path, long offset, EventFileIssueKind kind, string message) =>
        new(path, offset, kind, string.Create(CultureInfo.InvariantCulture, $"{kind} at offset {offset} of '{path}': {message}"));
}
