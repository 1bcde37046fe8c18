using System.Buffers;
using System.Text.Json;
using GradDiag.Writers.Queue;

namespace GradDiag.Writers.JsonLines;

/// <summary>
/// Encodes queued records as one JSON object per line. Non-finite numbers are written as the strings
/// <c>"NaN"</c>, <c>"Infinity"</c> and <c>"-Infinity"</c>, because JSON has no literal for them.
/// </summary>
internal sealed class JsonLinesSink : IRecordSink
{
    /// <summary>The schema name written in each file's first line.</summary>
    public const string Schema = "graddiag.summary.v1";

    private const int WriteThreshold = 256 * 1024;

    private readonly FileStream _stream;
    private readonly ArrayBufferWriter<byte> _buffer = new(64 * 1024);
    private readonly Utf8JsonWriter _json;

    public JsonLinesSink(FileStream stream)
    {
        _stream = stream;
        _json = new Utf8JsonWriter(_buffer, new JsonWriterOptions { Indented = false });
    }

    /// <summary>Writes the header line and flushes it at once.</summary>
    public void WriteHeader(double wallTime, string writerName)
    {
        _json.WriteStartObject();
        _json.WriteString("type", "header");
        _json.WriteString("schema", Schema);
        _json.WriteString("writer", writerName);
        WriteNumber("wall_time", wallTime);
        EndLine();
        Flush();
    }

    public void Append(in QueuedRecord record)
    {
        _json.WriteStartObject();
        switch (record.Kind)
        {
            case QueuedRecordKind.Scalar:
                WriteCommon("scalar", record);
                WriteNumber("value", record.Value);
                break;
            case QueuedRecordKind.Histogram:
                WriteCommon("histogram", record);
                WriteHistogram((HistogramCopy)record.Payload!);
                break;
            case QueuedRecordKind.Text:
                WriteCommon("text", record);
                _json.WriteString("text", (string)record.Payload!);
                break;
            case QueuedRecordKind.Hyperparameters:
                _json.WriteString("type", "hparams");
                WriteNumber("wall_time", record.WallTime);
                WriteHyperparameters((IReadOnlyDictionary<string, object>)record.Payload!);
                break;
        }

        EndLine();
        if (_buffer.WrittenCount >= WriteThreshold)
        {
            WriteBuffer();
        }
    }

    public void Flush()
    {
        WriteBuffer();
        _stream.Flush(flushToDisk: true);
    }

    public void Dispose()
    {
        _json.Dispose();
        _stream.Dispose();
    }

    private void WriteCommon(string type, in QueuedRecord record)
    {
        _json.WriteString("type", type);
        _json.WriteString("tag", record.Tag);
        _json.WriteNumber("step", record.Step);
        WriteNumber("wall_time", record.WallTime);
    }

    private void WriteHistogram(HistogramCopy histogram)
    {
        WriteNumber("min", histogram.Min);
        WriteNumber("max", histogram.Max);
        WriteNumber("count", histogram.Count);
        WriteNumber("sum", histogram.Sum);
        WriteNumber("sum_squares", histogram.SumOfSquares);
        _json.WriteNumber("nonfinite_count", histogram.NonFiniteCount);
        _json.WriteStartArray("bucket_limits");
        foreach (double limit in histogram.BucketLimits)
        {
            WriteNumberValue(limit);
        }

        _json.WriteEndArray();
        _json.WriteStartArray("bucket_counts");
        foreach (double count in histogram.BucketCounts)
        {
            WriteNumberValue(count);
        }

        _json.WriteEndArray();
    }

    private void WriteHyperparameters(IReadOnlyDictionary<string, object> hyperparameters)
    {
        _json.WritePropertyName("hparams");
        _json.WriteStartObject();
        foreach (KeyValuePair<string, object> entry in hyperparameters)
        {
            _json.WritePropertyName(entry.Key);
            Google.Protobuf.WellKnownTypes.Value value = TensorBoard.EventEncoder.ToProtobufValue(entry.Value);
            switch (value.KindCase)
            {
                case Google.Protobuf.WellKnownTypes.Value.KindOneofCase.NumberValue:
                    WriteNumberValue(value.NumberValue);
                    break;
                case Google.Protobuf.WellKnownTypes.Value.KindOneofCase.BoolValue:
                    _json.WriteBooleanValue(value.BoolValue);
                    break;
                case Google.Protobuf.WellKnownTypes.Value.KindOneofCase.StringValue:
                    _json.WriteStringValue(value.StringValue);
                    break;
                default:
                    _json.WriteNullValue();
                    break;
            }
        }

        _json.WriteEndObject();
    }

    private void WriteNumber(string name, double value)
    {
        _json.WritePropertyName(name);
        WriteNumberValue(value);
    }

    private void WriteNumberValue(double value)
    {
        if (double.IsFinite(value))
        {
            _json.WriteNumberValue(value);
        }
        else if (double.IsNaN(value))
        {
            _json.WriteStringValue("NaN");
        }
        else
        {
            _json.WriteStringValue(value > 0 ? "Infinity" : "-Infinity");
        }
    }

    private void EndLine()
    {
        _json.WriteEndObject();
        _json.Flush();
        _json.Reset();
        _buffer.Write("\n"u8);
    }

    private void WriteBuffer()
    {
        if (_buffer.WrittenCount == 0)
        {
            return;
        }

        _stream.Write(_buffer.WrittenSpan);
        _buffer.ResetWrittenCount();
    }
}
