using System.Buffers.Binary;
using Google.Protobuf;
using GradDiag.OrtBackend.Models;
using GradDiag.OrtBackend.Onnx;

namespace GradDiag.OrtBackend.Graphs;

/// <summary>Creates small TensorProto constants (always as little-endian raw_data) and reads tensor values back.</summary>
internal static class Tensors
{
    /// <summary>Creates a tensor of a floating-point <paramref name="elementType"/> from float64 values.</summary>
    public static TensorProto FromDoubles(string name, int elementType, long[] dims, ReadOnlySpan<double> values)
    {
        var tensor = NewTensor(name, elementType, dims);
        byte[] raw;
        switch (elementType)
        {
            case DataTypes.Float:
                raw = new byte[values.Length * 4];
                for (var i = 0; i < values.Length; i++)
                {
                    BinaryPrimitives.WriteSingleLittleEndian(raw.AsSpan(i * 4), (float)values[i]);
                }

                break;
            case DataTypes.Double:
                raw = new byte[values.Length * 8];
                for (var i = 0; i < values.Length; i++)
                {
                    BinaryPrimitives.WriteDoubleLittleEndian(raw.AsSpan(i * 8), values[i]);
                }

                break;
            case DataTypes.Float16:
                raw = new byte[values.Length * 2];
                for (var i = 0; i < values.Length; i++)
                {
                    BinaryPrimitives.WriteHalfLittleEndian(raw.AsSpan(i * 2), (Half)values[i]);
                }

                break;
            case DataTypes.BFloat16:
                raw = new byte[values.Length * 2];
                for (var i = 0; i < values.Length; i++)
                {
                    BinaryPrimitives.WriteUInt16LittleEndian(raw.AsSpan(i * 2), BFloat16Bits((float)values[i]));
                }

                break;
            default:
                throw new ArgumentException($"Element type {DataTypes.Name(elementType)} is not a floating-point type.", nameof(elementType));
        }

        tensor.RawData = ByteString.CopyFrom(raw);
        return tensor;
    }

    /// <summary>Creates an INT64 tensor.</summary>
    public static TensorProto FromInt64s(string name, long[] dims, ReadOnlySpan<long> values)
    {
        var tensor = NewTensor(name, DataTypes.Int64, dims);
        var raw = new byte[values.Length * 8];
        for (var i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteInt64LittleEndian(raw.AsSpan(i * 8), values[i]);
        }

        tensor.RawData = ByteString.CopyFrom(raw);
        return tensor;
    }

    /// <summary>Creates a BOOL tensor.</summary>
    public static TensorProto FromBools(string name, long[] dims, ReadOnlySpan<bool> values)
    {
        var tensor = NewTensor(name, DataTypes.Bool, dims);
        var raw = new byte[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            raw[i] = values[i] ? (byte)1 : (byte)0;
        }

        tensor.RawData = ByteString.CopyFrom(raw);
        return tensor;
    }

    /// <summary>
    /// Reads an integer tensor (INT64, INT32, INT16, INT8, UINT8, UINT16, UINT32, BOOL) as int64 values,
    /// or returns null for other element types.
    /// </summary>
    public static long[]? ToInt64s(TensorProto tensor)
    {
        var raw = tensor.RawData.Span;
        var hasRaw = !tensor.RawData.IsEmpty;
        switch ((TensorProto.Types.DataType)tensor.DataType)
        {
            case TensorProto.Types.DataType.Int64:
                return hasRaw ? ReadRaw(raw, 8, s => BinaryPrimitives.ReadInt64LittleEndian(s)) : tensor.Int64Data.ToArray();
            case TensorProto.Types.DataType.Int32:
                return hasRaw ? ReadRaw(raw, 4, s => (long)BinaryPrimitives.ReadInt32LittleEndian(s)) : tensor.Int32Data.Select(v => (long)v).ToArray();
            case TensorProto.Types.DataType.Int16:
                return hasRaw ? ReadRaw(raw, 2, s => (long)BinaryPrimitives.ReadInt16LittleEndian(s)) : tensor.Int32Data.Select(v => (long)v).ToArray();
            case TensorProto.Types.DataType.Uint16:
                return hasRaw ? ReadRaw(raw, 2, s => (long)BinaryPrimitives.ReadUInt16LittleEndian(s)) : tensor.Int32Data.Select(v => (long)v).ToArray();
            case TensorProto.Types.DataType.Int8:
                return hasRaw ? ReadRaw(raw, 1, s => (long)(sbyte)s[0]) : tensor.Int32Data.Select(v => (long)v).ToArray();
            case TensorProto.Types.DataType.Uint8:
            case TensorProto.Types.DataType.Bool:
                return hasRaw ? ReadRaw(raw, 1, s => (long)s[0]) : tensor.Int32Data.Select(v => (long)v).ToArray();
            case TensorProto.Types.DataType.Uint32:
                return hasRaw ? ReadRaw(raw, 4, s => (long)BinaryPrimitives.ReadUInt32LittleEndian(s)) : tensor.Uint64Data.Select(v => (long)v).ToArray();
            default:
                return null;
        }
    }

    /// <summary>Reads a FLOAT, DOUBLE, FLOAT16 or BFLOAT16 tensor as float64 values, or returns null for other types.</summary>
    public static double[]? ToDoubles(TensorProto tensor)
    {
        var raw = tensor.RawData.Span;
        var hasRaw = !tensor.RawData.IsEmpty;
        switch ((TensorProto.Types.DataType)tensor.DataType)
        {
            case TensorProto.Types.DataType.Float:
                return hasRaw ? ReadRaw(raw, 4, s => (double)BinaryPrimitives.ReadSingleLittleEndian(s)) : tensor.FloatData.Select(v => (double)v).ToArray();
            case TensorProto.Types.DataType.Double:
                return hasRaw ? ReadRaw(raw, 8, s => BinaryPrimitives.ReadDoubleLittleEndian(s)) : tensor.DoubleData.ToArray();
            case TensorProto.Types.DataType.Float16:
                return hasRaw ? ReadRaw(raw, 2, s => (double)BinaryPrimitives.ReadHalfLittleEndian(s)) : tensor.Int32Data.Select(v => (double)BitConverter.UInt16BitsToHalf((ushort)v)).ToArray();
            case TensorProto.Types.DataType.Bfloat16:
                return hasRaw ? ReadRaw(raw, 2, s => (double)BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(s) << 16)) : tensor.Int32Data.Select(v => (double)BitConverter.Int32BitsToSingle(v << 16)).ToArray();
            default:
                return null;
        }
    }

    private delegate T SpanReader<out T>(ReadOnlySpan<byte> bytes);

    private static T[] ReadRaw<T>(ReadOnlySpan<byte> raw, int width, SpanReader<T> read)
    {
        var values = new T[raw.Length / width];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = read(raw.Slice(i * width, width));
        }

        return values;
    }

    private static TensorProto NewTensor(string name, int elementType, long[] dims)
    {
        var tensor = new TensorProto { Name = name, DataType = elementType };
        tensor.Dims.AddRange(dims);
        return tensor;
    }

    private static ushort BFloat16Bits(float value)
    {
        // Round to nearest even on the upper 16 bits; NaN keeps a quiet NaN pattern.
        var bits = BitConverter.SingleToUInt32Bits(value);
        if (float.IsNaN(value))
        {
            return 0x7FC0;
        }

        var rounding = 0x7FFFu + ((bits >> 16) & 1u);
        return (ushort)((bits + rounding) >> 16);
    }
}
