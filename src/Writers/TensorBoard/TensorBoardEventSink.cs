using System.Runtime.CompilerServices;
using System.Text;
using Google.Protobuf;
using GradDiag.Writers.Framing;
using GradDiag.Writers.Logging;
using GradDiag.Writers.Protocol;
using GradDiag.Writers.Queue;
using Microsoft.Extensions.Logging;

namespace GradDiag.Writers.TensorBoard;

/// <summary>
/// Encodes queued records as framed <c>Event</c> records into one event file. Records collect in a buffer of whole
/// records that is appended to the file in one write, so a crash can cut short only the write in progress.
/// </summary>
internal sealed class TensorBoardEventSink : IRecordSink
{
    private const int WriteThreshold = 64 * 1024;

    /// <summary>The number of slots of the tag cache, a power of two.</summary>
    private const int RecentTagSlots = 1024;

    private readonly FileStream _stream;
    private readonly string _path;
    private readonly string _writerName;
    private readonly bool _scalarsAsTensors;
    private readonly bool _isResume;
    private readonly ILogger _logger;
    private readonly Dictionary<string, TagState> _tags = new(StringComparer.Ordinal);

    // A direct-mapped cache from tag string instances to their state, indexed by the identity hash. Callers usually
    // pass the same string instances every step, so most records find their tag without hashing its text, and a
    // caller that builds a new string per call only overwrites slots.
    private readonly RecentTag[] _recentTags = new RecentTag[RecentTagSlots];

    private byte[] _buffer = new byte[64 * 1024];
    private int _length;
    private bool _startWritten;
    private long _outOfOrder;
    private long _clamped;

    public TensorBoardEventSink(FileStream stream, string path, string writerName, bool scalarsAsTensors, bool isResume, ILogger logger)
    {
        _stream = stream;
        _path = path;
        _writerName = writerName;
        _scalarsAsTensors = scalarsAsTensors;
        _isResume = isResume;
        _logger = logger;
    }

    /// <summary>Gets the number of records dropped because their step was below the tag's last written step.</summary>
    public long OutOfOrderRecords => Interlocked.Read(ref _outOfOrder);

    /// <summary>Gets the number of scalar values clamped to the float32 range.</summary>
    public long ClampedValues => Interlocked.Read(ref _clamped);

    /// <summary>Writes the file's first record and flushes it at once.</summary>
    public void WriteFileHeader(double wallTime, string sourceWriterName)
    {
        AppendEvent(EventEncoder.FileHeader(wallTime, sourceWriterName));
        Flush();
    }

    public void Append(in QueuedRecord record)
    {
        if (record.Kind == QueuedRecordKind.Hyperparameters)
        {
            AppendEvent(EventEncoder.Hyperparameters(record.WallTime, (IReadOnlyDictionary<string, object>)record.Payload!));
            return;
        }

        TagState state = GetTagState(record.Tag!);
        if (state.HasStep && record.Step < state.LastStep)
        {
            Interlocked.Increment(ref _outOfOrder);
            if (!state.OrderLogged)
            {
                state.OrderLogged = true;
                Log.OutOfOrderStep(_logger, _writerName, state.Tag, record.Step, state.LastStep);
            }

            return;
        }

        if (!_startWritten)
        {
            // Every file records where its data starts. TensorBoard's Python loader ignores the first START of a
            // run and, for any later one, drops stored points at or after its step, so a resumed run does not fold back.
            _startWritten = true;
            AppendEvent(EventEncoder.SessionStart(record.WallTime, record.Step));
            if (_isResume)
            {
                Log.RestartRecorded(_logger, _path, record.Step);
            }
        }

        state.HasStep = true;
        state.LastStep = record.Step;
        switch (record.Kind)
        {
            case QueuedRecordKind.Scalar:
                AppendScalar(record, state);
                break;
            case QueuedRecordKind.Histogram:
                AppendEvent(EventEncoder.Histogram(record.WallTime, record.Step, state.Tag, (HistogramCopy)record.Payload!));
                break;
            case QueuedRecordKind.Text:
                AppendEvent(EventEncoder.Text(record.WallTime, record.Step, state.Tag, (string)record.Payload!));
                break;
        }

        if (_length >= WriteThreshold)
        {
            WriteBuffer();
        }
    }

    public void Flush()
    {
        WriteBuffer();
        _stream.Flush(flushToDisk: true);

        // NOTE: a deleted event file is noticed only here, at the next flush. The writer then stops instead of
        // starting a new file, so records written to the unlinked file in between are lost.
        if (!File.Exists(_path))
        {
            throw new IOException($"Event file '{_path}' was deleted while the writer was using it; records after this point are lost.");
        }
    }

    public void Dispose() => _stream.Dispose();

    private void AppendScalar(in QueuedRecord record, TagState state)
    {
        float value = ToFloat(record.Value, out bool clamped);
        if (clamped)
        {
            Interlocked.Increment(ref _clamped);
            if (!state.ClampLogged)
            {
                state.ClampLogged = true;
                Log.ValueClamped(_logger, _writerName, state.Tag, record.Step, record.Value);
            }
        }

        if (_scalarsAsTensors)
        {
            AppendEvent(EventEncoder.TensorScalar(record.WallTime, record.Step, state.Tag, value));
            return;
        }

        byte[] prefix = state.ScalarPrefix;
        EnsureCapacity(EventEncoder.MaxSimpleScalarSizeWithPrefix(prefix.Length) + RecordFraming.Overhead);
        Span<byte> recordSpan = _buffer.AsSpan(_length);
        int payloadLength = EventEncoder.EncodeSimpleScalarWithPrefix(recordSpan[RecordFraming.HeaderSize..], record.WallTime, record.Step, prefix, value);
        Commit(recordSpan, payloadLength);
    }

    /// <summary>Converts to float32, clamping finite values that would overflow to infinity or underflow to zero.</summary>
    internal static float ToFloat(double value, out bool clamped)
    {
        clamped = false;
        if (!double.IsFinite(value) || value == 0)
        {
            return (float)value;
        }

        if (Math.Abs(value) > float.MaxValue)
        {
            clamped = true;
            return value > 0 ? float.MaxValue : float.MinValue;
        }

        float narrowed = (float)value;
        if (narrowed == 0)
        {
            clamped = true;
            return value > 0 ? float.Epsilon : -float.Epsilon;
        }

        return narrowed;
    }

    private void AppendEvent(Event message)
    {
        int payloadLength = message.CalculateSize();
        EnsureCapacity(payloadLength + RecordFraming.Overhead);
        Span<byte> recordSpan = _buffer.AsSpan(_length);
        message.WriteTo(recordSpan.Slice(RecordFraming.HeaderSize, payloadLength));
        Commit(recordSpan, payloadLength);
    }

    private void Commit(Span<byte> recordSpan, int payloadLength)
    {
        RecordFraming.WriteHeader(recordSpan, payloadLength);
        ReadOnlySpan<byte> payload = recordSpan.Slice(RecordFraming.HeaderSize, payloadLength);
        RecordFraming.WriteFooter(recordSpan[(RecordFraming.HeaderSize + payloadLength)..], payload);
        _length += payloadLength + RecordFraming.Overhead;
    }

    private void EnsureCapacity(int bytes)
    {
        if (_buffer.Length - _length >= bytes)
        {
            return;
        }

        WriteBuffer();
        if (_buffer.Length < bytes)
        {
            _buffer = new byte[Math.Max(bytes, _buffer.Length * 2)];
        }
    }

    private void WriteBuffer()
    {
        if (_length == 0)
        {
            return;
        }

        int length = _length;
        _length = 0;
        _stream.Write(_buffer, 0, length);
    }

    private TagState GetTagState(string tag)
    {
        int slot = RuntimeHelpers.GetHashCode(tag) & (RecentTagSlots - 1);
        RecentTag recent = _recentTags[slot];
        if (ReferenceEquals(recent.Tag, tag))
        {
            return recent.State!;
        }

        if (!_tags.TryGetValue(tag, out TagState? state))
        {
            string sanitized = TagSanitizer.Sanitize(tag);
            state = new TagState(sanitized, EventEncoder.SimpleScalarTagPrefix(Encoding.UTF8.GetBytes(sanitized)));
            _tags.Add(tag, state);
        }

        _recentTags[slot] = new RecentTag(tag, state);
        return state;
    }

    private readonly record struct RecentTag(string? Tag, TagState? State);

    private sealed class TagState(string tag, byte[] scalarPrefix)
    {
        public string Tag { get; } = tag;

        /// <summary>The encoded bytes that every simple_value record of this tag shares, tag included.</summary>
        public byte[] ScalarPrefix { get; } = scalarPrefix;

        public bool HasStep { get; set; }

        public long LastStep { get; set; }

        public bool OrderLogged { get; set; }

        public bool ClampLogged { get; set; }
    }
}
