using System.Buffers.Binary;
using GradDiag.Writers.Protocol;

namespace GradDiag.Writers.Reading;

/// <summary>Decodes numeric and string tensors from <c>tensor_content</c> (little-endian, row-major) or the typed lists.</summary>
internal static class TensorDecoder
{
    /// <summary>The largest element count decoded; larger tensors are not summaries GradDiag reads.</summary>
    private const long MaxElements = 16 * 1024 * 1024;

    /// <summary>Decodes a numeric tensor to doubles; a typed list of one element fills the whole shape.</summary>
    /// <returns>False for a non-numeric type, an invalid shape or a content size that does not fit the shape.</returns>
    public static bool TryDecodeNumbers(TensorProto tensor, out double[] values, out long[] shape)
    {
        values = [];
        if (!TryGetShape(tensor, out shape, out long count))
        {
            return false;
        }

        int elementSize = ElementSize(tensor.Dtype);
        if (elementSize == 0)
        {
            return false;
        }

        if (!tensor.TensorContent.IsEmpty)
        {
            ReadOnlySpan<byte> content = tensor.TensorContent.Span;
            if (content.Length != count * elementSize)
            {
                return false;
            }

            values = new double[count];
            for (int i = 0; i < values.Length; i++)
            {
                values[i] = ReadElement(tensor.Dtype, content.Slice(i * elementSize, elementSize));
            }

            return true;
        }

        double[] listed = ReadTypedList(tensor);
        if (listed.Length == count)
        {
            values = listed;
            return true;
        }

        if (listed.Length == 1 && count > 1)
        {
            values = new double[count];
            Array.Fill(values, listed[0]);
            return true;
        }

        return false;
    }

    /// <summary>Decodes a DT_STRING tensor's elements as UTF-8.</summary>
    public static bool TryDecodeStrings(TensorProto tensor, out string[] values)
    {
        values = [];
        if (tensor.Dtype != DataType.DtString || !TryGetShape(tensor, out _, out long count))
        {
            return false;
        }

        if (tensor.StringVal.Count == count || (tensor.StringVal.Count == 1 && count > 0))
        {
            values = tensor.StringVal.Select(bytes => bytes.ToStringUtf8()).ToArray();
            return true;
        }

        return false;
    }

    private static bool TryGetShape(TensorProto tensor, out long[] shape, out long count)
    {
        count = 1;
        if (tensor.TensorShape is null || tensor.TensorShape.Dim.Count == 0)
        {
            shape = [];
            return true;
        }

        shape = new long[tensor.TensorShape.Dim.Count];
        for (int i = 0; i < shape.Length; i++)
        {
            long size = tensor.TensorShape.Dim[i].Size;
            if (size < 0 || (size > 0 && count > MaxElements / size))
            {
                return false;
            }

            shape[i] = size;
            count *= size;
        }

        return count <= MaxElements;
    }

    private static int ElementSize(DataType type) => type switch
    {
        DataType.DtFloat or DataType.DtInt32 or DataType.DtUint32 => 4,
        DataType.DtDouble or DataType.DtInt64 or DataType.DtUint64 => 8,
        DataType.DtHalf or DataType.DtBfloat16 or DataType.DtInt16 or DataType.DtUint16 => 2,
        DataType.DtInt8 or DataType.DtUint8 or DataType.DtBool => 1,
        _ => 0,
    };

    private static double ReadElement(DataType type, ReadOnlySpan<byte> bytes) => type switch
    {
        DataType.DtFloat => BinaryPrimitives.ReadSingleLittleEndian(bytes),
        DataType.DtDouble => BinaryPrimitives.ReadDoubleLittleEndian(bytes),
        DataType.DtInt32 => BinaryPrimitives.ReadInt32LittleEndian(bytes),
        DataType.DtUint32 => BinaryPrimitives.ReadUInt32LittleEndian(bytes),
        DataType.DtInt64 => BinaryPrimitives.ReadInt64LittleEndian(bytes),
        DataType.DtUint64 => BinaryPrimitives.ReadUInt64LittleEndian(bytes),
        DataType.DtHalf => (double)BitConverter.UInt16BitsToHalf(BinaryPrimitives.ReadUInt16LittleEndian(bytes)),
        DataType.DtBfloat16 => BFloat16ToDouble(BinaryPrimitives.ReadUInt16LittleEndian(bytes)),
        DataType.DtInt16 => BinaryPrimitives.ReadInt16LittleEndian(bytes),
        DataType.DtUint16 => BinaryPrimitives.ReadUInt16LittleEndian(bytes),
        DataType.DtInt8 => (sbyte)bytes[0],
        DataType.DtUint8 => bytes[0],
        DataType.DtBool => bytes[0] != 0 ? 1 : 0,
        _ => double.NaN,
    };

    private static double[] ReadTypedList(TensorProto tensor) => tensor.Dtype switch
    {
        DataType.DtFloat => tensor.FloatVal.Select(v => (double)v).ToArray(),
        DataType.DtDouble => tensor.DoubleVal.ToArray(),
        DataType.DtInt32 or DataType.DtInt16 or DataType.DtInt8 or DataType.DtUint8 or DataType.DtUint16 => tensor.IntVal.Select(v => (double)v).ToArray(),
        DataType.DtInt64 => tensor.Int64Val.Select(v => (double)v).ToArray(),
        DataType.DtUint32 => tensor.Uint32Val.Select(v => (double)v).ToArray(),
        DataType.DtUint64 => tensor.Uint64Val.Select(v => (double)v).ToArray(),
        DataType.DtBool => tensor.BoolVal.Select(v => v ? 1.0 : 0.0).ToArray(),
        DataType.DtHalf => tensor.HalfVal.Select(v => (double)BitConverter.UInt16BitsToHalf((ushort)v)).ToArray(),
        DataType.DtBfloat16 => tensor.HalfVal.Select(v => BFloat16ToDouble((ushort)v)).ToArray(),
        _ => [],
    };

    private static double BFloat16ToDouble(ushort bits) => BitConverter.Int32BitsToSingle(bits << 16);
}
