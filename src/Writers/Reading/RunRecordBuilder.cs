using GradDiag.Writers.Protocol;
using HParamsPluginData = GradDiag.Writers.Protocol.HParams.HParamsPluginData;
using ProtoValue = Google.Protobuf.WellKnownTypes.Value;
using SummaryValue = GradDiag.Writers.Protocol.Summary.Types.Value;

namespace GradDiag.Writers.Reading;

/// <summary>
/// Turns the events of one run into <see cref="SummaryRecord"/>s: it remembers each tag's first plugin (as
/// TensorBoard does), converts every value form and applies the run's <see cref="StepOrdering"/>.
/// </summary>
internal sealed class RunRecordBuilder(string runName, StepOrdering ordering) : IEventConsumer
{
    /// <summary>Wall times above this are not seconds; TorchSharp writes .NET ticks in a file's first event.</summary>
    private const double MaxPlausibleSeconds = 1e11;

    private readonly Dictionary<string, List<SummaryRecord>> _series = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _pluginByTag = new(StringComparer.Ordinal);
    private readonly List<string> _tagOrder = [];
    private readonly HashSet<string> _tagNames = new(StringComparer.Ordinal);

    /// <inheritdoc/>
    public bool AcceptsScalars => true;

    /// <inheritdoc/>
    public void OnEvent(long offset, Event message) => Add(message);

    /// <inheritdoc/>
    public void OnScalar(long offset, double wallTime, long step, ReadOnlySpan<byte> tag, float value)
    {
        string name = InternTag(tag);
        if (!_pluginByTag.TryGetValue(name, out string? plugin))
        {
            plugin = string.Empty;
            _pluginByTag.Add(name, plugin);
        }

        Append(Scalar(name, step, NormalizeWallTime(wallTime), plugin.Length > 0 ? plugin : "scalars", value));
    }

    /// <summary>Adds every supported value of <paramref name="message"/>.</summary>
    public void Add(Event message)
    {
        if (message.WhatCase != Event.WhatOneofCase.Summary)
        {
            return;
        }

        double wallTime = NormalizeWallTime(message.WallTime);
        foreach (SummaryValue value in message.Summary.Value)
        {
            string tag = value.Tag.Length > 0 ? value.Tag : value.NodeName;
            string? ownPlugin = value.Metadata?.PluginData?.PluginName;
            if (!_pluginByTag.TryGetValue(tag, out string? plugin))
            {
                plugin = ownPlugin ?? string.Empty;
                _pluginByTag.Add(tag, plugin);
            }

            SummaryRecord? record = Convert(value, tag, message.Step, wallTime, plugin);
            if (record is not null)
            {
                Append(record);
            }
        }
    }

    /// <summary>Returns the records grouped by tag, each in ascending step order, and the tags in first-seen order.</summary>
    public (List<SummaryRecord> Records, List<string> Tags) Build()
    {
        var records = new List<SummaryRecord>();
        var tags = new List<string>();
        foreach (string tag in _tagOrder)
        {
            List<SummaryRecord> points = _series[tag];
            if (points.Count == 0)
            {
                continue;
            }

            tags.Add(tag);
            records.AddRange(ordering == StepOrdering.KeepAll ? points.OrderBy(point => point.Step) : points);
        }

        return (records, tags);
    }

    /// <summary>Converts a file's wall time to seconds: .NET ticks are converted, other implausible values become NaN.</summary>
    internal static double NormalizeWallTime(double wallTime)
    {
        if (!double.IsFinite(wallTime) || wallTime < 0)
        {
            return double.NaN;
        }

        if (wallTime <= MaxPlausibleSeconds)
        {
            return wallTime;
        }

        // .NET ticks (100 ns since year 1) of years 1970 to 9999.
        if (wallTime >= DateTime.UnixEpoch.Ticks && wallTime <= DateTime.MaxValue.Ticks)
        {
            return (wallTime - DateTime.UnixEpoch.Ticks) / TimeSpan.TicksPerSecond;
        }

        return double.NaN;
    }

    /// <summary>Returns one string instance per distinct tag, decoding the UTF-8 bytes only for a tag not seen before.</summary>
    private string InternTag(ReadOnlySpan<byte> utf8)
    {
        const int MaxStackChars = 512;
        if (utf8.Length > MaxStackChars)
        {
            string decoded = System.Text.Encoding.UTF8.GetString(utf8);
            return _tagNames.TryGetValue(decoded, out string? known) ? known : Remember(decoded);
        }

        Span<char> chars = stackalloc char[MaxStackChars];
        int count = System.Text.Encoding.UTF8.GetChars(utf8, chars);
        HashSet<string>.AlternateLookup<ReadOnlySpan<char>> lookup = _tagNames.GetAlternateLookup<ReadOnlySpan<char>>();
        return lookup.TryGetValue(chars[..count], out string? existing) ? existing : Remember(new string(chars[..count]));
    }

    private string Remember(string tag)
    {
        _tagNames.Add(tag);
        return tag;
    }

    private void Append(SummaryRecord record)
    {
        if (!_series.TryGetValue(record.Tag, out List<SummaryRecord>? points))
        {
            points = [];
            _series.Add(record.Tag, points);
            _tagOrder.Add(record.Tag);
        }

        if (ordering == StepOrdering.ReplaceLaterSteps)
        {
            while (points.Count > 0 && points[^1].Step >= record.Step)
            {
                points.RemoveAt(points.Count - 1);
            }
        }

        points.Add(record);
    }

    private SummaryRecord? Convert(SummaryValue value, string tag, long step, double wallTime, string plugin)
    {
        switch (value.ValueCase)
        {
            case SummaryValue.ValueOneofCase.SimpleValue:
                return Scalar(tag, step, wallTime, plugin.Length > 0 ? plugin : "scalars", value.SimpleValue);
            case SummaryValue.ValueOneofCase.Histo:
                return HistogramRecord(tag, step, wallTime, plugin.Length > 0 ? plugin : "histograms", FromLegacy(value.Histo));
        }

        // The hparams plugin stores its data in the metadata; the value tensor, if any, is a placeholder.
        if (plugin == "hparams" || value.Metadata?.PluginData?.PluginName == "hparams")
        {
            return Hyperparameters(tag, step, wallTime, value.Metadata);
        }

        if (value.ValueCase != SummaryValue.ValueOneofCase.Tensor)
        {
            return null;
        }

        TensorProto tensor = value.Tensor;
        switch (plugin)
        {
            case "scalars":
                return TensorDecoder.TryDecodeNumbers(tensor, out double[] numbers, out _) && numbers.Length == 1
                    ? Scalar(tag, step, wallTime, plugin, numbers[0])
                    : null;
            case "histograms":
                return TensorDecoder.TryDecodeNumbers(tensor, out double[] cells, out long[] shape) && shape.Length == 2 && shape[1] == 3
                    ? HistogramRecord(tag, step, wallTime, plugin, FromRows(cells))
                    : null;
            case "text":
                return TensorDecoder.TryDecodeStrings(tensor, out string[] strings)
                    ? new SummaryRecord { Run = runName, Tag = tag, Step = step, WallTime = wallTime, Kind = SummaryRecordKind.Text, PluginName = plugin, Text = string.Join('\n', strings) }
                    : null;
            default:
                return null;
        }
    }

    private SummaryRecord Scalar(string tag, long step, double wallTime, string plugin, double value) =>
        new() { Run = runName, Tag = tag, Step = step, WallTime = wallTime, Kind = SummaryRecordKind.Scalar, PluginName = plugin, Value = value };

    private SummaryRecord HistogramRecord(string tag, long step, double wallTime, string plugin, HistogramData histogram) =>
        new() { Run = runName, Tag = tag, Step = step, WallTime = wallTime, Kind = SummaryRecordKind.Histogram, PluginName = plugin, Histogram = histogram };

    private SummaryRecord? Hyperparameters(string tag, long step, double wallTime, SummaryMetadata? metadata)
    {
        if (metadata?.PluginData is null)
        {
            return null;
        }

        HParamsPluginData data;
        try
        {
            data = HParamsPluginData.Parser.ParseFrom(metadata.PluginData.Content);
        }
        catch (Google.Protobuf.InvalidProtocolBufferException)
        {
            return null;
        }

        if (data.DataCase != HParamsPluginData.DataOneofCase.SessionStartInfo)
        {
            return null;
        }

        var values = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (KeyValuePair<string, ProtoValue> entry in data.SessionStartInfo.Hparams)
        {
            values[entry.Key] = ToObject(entry.Value);
        }

        return new SummaryRecord
        {
            Run = runName,
            Tag = tag,
            Step = step,
            WallTime = wallTime,
            Kind = SummaryRecordKind.Hyperparameters,
            PluginName = "hparams",
            Hyperparameters = values,
        };
    }

    private static object? ToObject(ProtoValue value) => value.KindCase switch
    {
        ProtoValue.KindOneofCase.NumberValue => value.NumberValue,
        ProtoValue.KindOneofCase.StringValue => value.StringValue,
        ProtoValue.KindOneofCase.BoolValue => value.BoolValue,
        ProtoValue.KindOneofCase.ListValue => value.ListValue.Values.Select(ToObject).ToList(),
        ProtoValue.KindOneofCase.StructValue => value.StructValue.Fields.ToDictionary(field => field.Key, field => ToObject(field.Value), StringComparer.Ordinal),
        _ => null,
    };

    private static HistogramData FromLegacy(HistogramProto proto)
    {
        // Some writers send unequal arrays; only the parallel part is meaningful.
        int count = Math.Min(proto.BucketLimit.Count, proto.Bucket.Count);
        var histogram = new HistogramData(proto.BucketLimit.Take(count).ToArray(), proto.Bucket.Take(count).ToArray())
        {
            BucketCount = count,
            Min = proto.Min,
            Max = proto.Max,
            Count = proto.Num,
            Sum = proto.Sum,
            SumOfSquares = proto.SumSquares,
        };
        return histogram;
    }

    private static HistogramData FromRows(double[] cells)
    {
        int rows = cells.Length / 3;
        var limits = new double[rows];
        var counts = new double[rows];
        double total = 0;
        for (int row = 0; row < rows; row++)
        {
            limits[row] = cells[(row * 3) + 1];
            counts[row] = cells[(row * 3) + 2];
            total += counts[row];
        }

        return new HistogramData(limits, counts)
        {
            BucketCount = rows,
            Min = rows > 0 ? cells[0] : double.NaN,
            Max = rows > 0 ? cells[((rows - 1) * 3) + 1] : double.NaN,
            Count = total,
            Sum = double.NaN,
            SumOfSquares = double.NaN,
        };
    }
}
