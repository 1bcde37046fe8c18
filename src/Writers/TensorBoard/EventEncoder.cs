using System.Buffers.Binary;
using System.Globalization;
using Google.Protobuf;
using GradDiag.Writers.Protocol;
using GradDiag.Writers.Queue;
using HParamsPluginData = GradDiag.Writers.Protocol.HParams.HParamsPluginData;
using SessionStartInfo = GradDiag.Writers.Protocol.HParams.SessionStartInfo;
using WellKnown = Google.Protobuf.WellKnownTypes;

namespace GradDiag.Writers.TensorBoard;

/// <summary>Builds the <c>Event</c> messages GradDiag writes, and encodes legacy scalars without allocating.</summary>
internal static class EventEncoder
{
    /// <summary>The version string of the first record of every file.</summary>
    public const string FileVersion = "brain.Event:2";

    /// <summary>The tag of the hparams plugin's session start record.</summary>
    public const string SessionStartInfoTag = "_hparams_/session_start_info";

    /// <summary>Returns the largest payload <see cref="EncodeSimpleScalar"/> writes for a tag of <paramref name="tagByteCount"/> UTF-8 bytes.</summary>
    public static int MaxSimpleScalarSize(int tagByteCount) => 9 + 11 + 1 + 5 + 1 + 5 + 1 + 5 + tagByteCount + 5;

    /// <summary>
    /// Encodes Event{wall_time, step, summary{value{tag, simple_value}}} into <paramref name="destination"/> in
    /// canonical field order, byte-identical to the protobuf library's output.
    /// </summary>
    /// <returns>The number of bytes written.</returns>
    public static int EncodeSimpleScalar(Span<byte> destination, double wallTime, long step, ReadOnlySpan<byte> tagUtf8, float value)
    {
        int valueLength = 1 + VarintLength((ulong)tagUtf8.Length) + tagUtf8.Length + 5;
        int summaryLength = 1 + VarintLength((ulong)valueLength) + valueLength;
        int position = 0;

        // Proto3 leaves out fields equal to their default.
        if (BitConverter.DoubleToInt64Bits(wallTime) != 0)
        {
            destination[position++] = 0x09;
            BinaryPrimitives.WriteDoubleLittleEndian(destination[position..], wallTime);
            position += 8;
        }

        if (step != 0)
        {
            destination[position++] = 0x10;
            position += WriteVarint(destination[position..], (ulong)step);
        }

        destination[position++] = 0x2A;
        position += WriteVarint(destination[position..], (ulong)summaryLength);
        destination[position++] = 0x0A;
        position += WriteVarint(destination[position..], (ulong)valueLength);
        destination[position++] = 0x0A;
        position += WriteVarint(destination[position..], (ulong)tagUtf8.Length);
        tagUtf8.CopyTo(destination[position..]);
        position += tagUtf8.Length;

        // simple_value is a oneof member, so it is written even when it is 0.
        destination[position++] = 0x15;
        BinaryPrimitives.WriteSingleLittleEndian(destination[position..], value);
        return position + 4;
    }

    /// <summary>Builds the first record of a file: the version string and the writing library's name.</summary>
    public static Event FileHeader(double wallTime, string writerName) => new()
    {
        WallTime = wallTime,
        FileVersion = FileVersion,
        SourceMetadata = new SourceMetadata { Writer = writerName },
    };

    /// <summary>Builds Event{step, session_log START}, which tells TensorBoard that the run restarted at <paramref name="step"/>.</summary>
    public static Event SessionStart(double wallTime, long step) => new()
    {
        WallTime = wallTime,
        Step = step,
        SessionLog = new SessionLog { Status = SessionLog.Types.SessionStatus.Start },
    };

    /// <summary>Builds a legacy scalar event (<c>simple_value</c>).</summary>
    public static Event SimpleScalar(double wallTime, long step, string tag, float value) =>
        WithValue(wallTime, step, new Summary.Types.Value { Tag = tag, SimpleValue = value });

    /// <summary>Builds a scalar as a rank-0 DT_FLOAT tensor with the <c>scalars</c> plugin.</summary>
    public static Event TensorScalar(double wallTime, long step, string tag, float value)
    {
        var content = new byte[4];
        BinaryPrimitives.WriteSingleLittleEndian(content, value);
        return WithValue(wallTime, step, new Summary.Types.Value
        {
            Tag = tag,
            Tensor = new TensorProto
            {
                Dtype = DataType.DtFloat,
                TensorShape = new TensorShapeProto(),
                TensorContent = ByteString.CopyFrom(content),
            },
            Metadata = PluginMetadata("scalars", DataClass.Scalar),
        });
    }

    /// <summary>Builds a legacy histogram (HistogramProto) with right-edge bucket limits and exact moments.</summary>
    public static Event Histogram(double wallTime, long step, string tag, HistogramCopy histogram)
    {
        var proto = new HistogramProto
        {
            Min = histogram.Min,
            Max = histogram.Max,
            Num = histogram.Count,
            Sum = histogram.Sum,
            SumSquares = histogram.SumOfSquares,
        };
        proto.BucketLimit.Add(histogram.BucketLimits.ToArray());
        proto.Bucket.Add(histogram.BucketCounts.ToArray());
        return WithValue(wallTime, step, new Summary.Types.Value { Tag = tag, Histo = proto });
    }

    /// <summary>Builds a text record: a rank-0 DT_STRING tensor with the <c>text</c> plugin (rendered as Markdown).</summary>
    public static Event Text(double wallTime, long step, string tag, string text)
    {
        var tensor = new TensorProto { Dtype = DataType.DtString, TensorShape = new TensorShapeProto() };
        tensor.StringVal.Add(ByteString.CopyFromUtf8(text));
        return WithValue(wallTime, step, new Summary.Types.Value
        {
            Tag = tag,
            Tensor = tensor,
            Metadata = PluginMetadata("text", DataClass.Tensor),
        });
    }

    /// <summary>
    /// Builds the hparams plugin's session start record at step 0: the hyperparameters go into the metadata
    /// content, and the value is an empty DT_FLOAT tensor of shape [0], as TensorBoard's own helper writes.
    /// </summary>
    public static Event Hyperparameters(double wallTime, IReadOnlyDictionary<string, object> hyperparameters)
    {
        var tensor = new TensorProto { Dtype = DataType.DtFloat, TensorShape = new TensorShapeProto() };
        tensor.TensorShape.Dim.Add(new TensorShapeProto.Types.Dim());
        var metadata = new SummaryMetadata
        {
            PluginData = new SummaryMetadata.Types.PluginData
            {
                PluginName = "hparams",
                Content = SessionStartContent(hyperparameters, wallTime).ToByteString(),
            },
            DataClass = DataClass.Tensor,
        };
        return WithValue(wallTime, 0, new Summary.Types.Value { Tag = SessionStartInfoTag, Tensor = tensor, Metadata = metadata });
    }

    /// <summary>Builds the hparams plugin content for a session start: each hyperparameter as a protobuf Value.</summary>
    public static HParamsPluginData SessionStartContent(IReadOnlyDictionary<string, object> hyperparameters, double startTimeSeconds)
    {
        var start = new SessionStartInfo { StartTimeSecs = startTimeSeconds };
        foreach (KeyValuePair<string, object> entry in hyperparameters)
        {
            start.Hparams[entry.Key] = ToProtobufValue(entry.Value);
        }

        return new HParamsPluginData { SessionStartInfo = start };
    }

    /// <summary>Converts a hyperparameter: numbers to number_value, booleans to bool_value, anything else to its invariant string.</summary>
    public static WellKnown.Value ToProtobufValue(object? value) => value switch
    {
        null => WellKnown.Value.ForNull(),
        bool flag => WellKnown.Value.ForBool(flag),
        string text => WellKnown.Value.ForString(text),
        double number => WellKnown.Value.ForNumber(number),
        float number => WellKnown.Value.ForNumber(number),
        int number => WellKnown.Value.ForNumber(number),
        long number => WellKnown.Value.ForNumber(number),
        short number => WellKnown.Value.ForNumber(number),
        byte number => WellKnown.Value.ForNumber(number),
        uint number => WellKnown.Value.ForNumber(number),
        ulong number => WellKnown.Value.ForNumber(number),
        decimal number => WellKnown.Value.ForNumber((double)number),
        Enum enumeration => WellKnown.Value.ForString(enumeration.ToString()),
        IFormattable formattable => WellKnown.Value.ForString(formattable.ToString(null, CultureInfo.InvariantCulture)),
        _ => WellKnown.Value.ForString(value.ToString() ?? string.Empty),
    };

    /// <summary>Returns the number of bytes a varint of <paramref name="value"/> takes.</summary>
    public static int VarintLength(ulong value)
    {
        int length = 1;
        while (value >= 0x80)
        {
            value >>= 7;
            length++;
        }

        return length;
    }

    private static int WriteVarint(Span<byte> destination, ulong value)
    {
        int position = 0;
        while (value >= 0x80)
        {
            destination[position++] = (byte)(value | 0x80);
            value >>= 7;
        }

        destination[position++] = (byte)value;
        return position;
    }

    private static SummaryMetadata PluginMetadata(string pluginName, DataClass dataClass) => new()
    {
        PluginData = new SummaryMetadata.Types.PluginData { PluginName = pluginName },
        DataClass = dataClass,
    };

    private static Event WithValue(double wallTime, long step, Summary.Types.Value value)
    {
        var summary = new Summary();
        summary.Value.Add(value);
        return new Event { WallTime = wallTime, Step = step, Summary = summary };
    }
}
