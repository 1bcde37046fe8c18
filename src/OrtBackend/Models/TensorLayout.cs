using GradDiag.OrtBackend.Onnx;

namespace GradDiag.OrtBackend.Models;

/// <summary>Computes and checks the amount of data a TensorProto must carry for its type and shape.</summary>
internal static class TensorLayout
{
    /// <summary>
    /// Returns the element count of the tensor's declared shape, rejecting negative dimensions and
    /// products that overflow a 64-bit integer.
    /// </summary>
    public static long ElementCount(TensorProto tensor, string source, string label)
    {
        long count = 1;
        for (var i = 0; i < tensor.Dims.Count; i++)
        {
            var dim = tensor.Dims[i];
            if (dim < 0)
            {
                throw new OnnxModelException(source, $"{label}.dims[{i}]", "A tensor dimension is negative.", "a value >= 0", dim.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }

            try
            {
                count = checked(count * dim);
            }
            catch (OverflowException ex)
            {
                throw new OnnxModelException(source, $"{label}.dims", "The product of the tensor dimensions overflows a 64-bit integer.", null, FormatDims(tensor), ex);
            }
        }

        return count;
    }

    /// <summary>
    /// Returns the number of raw_data bytes the tensor needs, and rejects element types without a
    /// fixed-width raw layout and sizes above the largest .NET array.
    /// </summary>
    public static long ExpectedRawBytes(TensorProto tensor, string source, string label)
    {
        var bits = DataTypes.BitsPerElement(tensor.DataType);
        if (bits == 0)
        {
            throw new OnnxModelException(source, $"{label}.data_type", "The element type has no fixed-width raw layout.", "a numeric or boolean data type", DataTypes.Name(tensor.DataType));
        }

        var count = ElementCount(tensor, source, label);
        long bytes;
        try
        {
            bytes = checked((count * bits + 7) / 8);
        }
        catch (OverflowException ex)
        {
            throw new OnnxModelException(source, $"{label}.dims", "The tensor byte size overflows a 64-bit integer.", null, FormatDims(tensor), ex);
        }

        if (bytes > Array.MaxLength)
        {
            throw new OnnxModelException(source, $"{label}.dims", "The tensor is larger than one .NET array can hold.", $"at most {Array.MaxLength} bytes", $"{bytes} bytes for dims {FormatDims(tensor)}");
        }

        return bytes;
    }

    /// <summary>Checks that an inline tensor's data matches its declared type and shape.</summary>
    public static void ValidateInline(TensorProto tensor, string source, string label)
    {
        if (tensor.Segment is not null)
        {
            throw new OnnxModelException(source, $"{label}.segment", "Segmented tensors are not supported.");
        }

        if (tensor.DataType == DataTypes.String)
        {
            var stringCount = ElementCount(tensor, source, label);
            if (tensor.StringData.Count != stringCount)
            {
                throw new OnnxModelException(source, $"{label}.string_data", "The number of strings does not match the tensor shape.", $"{stringCount}", $"{tensor.StringData.Count}");
            }

            return;
        }

        var expectedBytes = ExpectedRawBytes(tensor, source, label);
        if (!tensor.RawData.IsEmpty)
        {
            if (tensor.RawData.Length != expectedBytes)
            {
                throw new OnnxModelException(source, $"{label}.raw_data", "The raw data length does not match the tensor's type and shape.", $"{expectedBytes} bytes ({DataTypes.Name(tensor.DataType)} {FormatDims(tensor)})", $"{tensor.RawData.Length} bytes");
            }

            return;
        }

        var (fieldName, found, expected) = TypedFieldCount(tensor, source, label);
        if (found != expected)
        {
            throw new OnnxModelException(source, $"{label}.{fieldName}", "The number of stored values does not match the tensor's type and shape.", $"{expected} values ({DataTypes.Name(tensor.DataType)} {FormatDims(tensor)})", $"{found}");
        }
    }

    /// <summary>Formats the declared dimensions as <c>[2, 3]</c>.</summary>
    public static string FormatDims(TensorProto tensor) => "[" + string.Join(", ", tensor.Dims) + "]";

    private static (string Field, long Found, long Expected) TypedFieldCount(TensorProto tensor, string source, string label)
    {
        var count = ElementCount(tensor, source, label);
        return (TensorProto.Types.DataType)tensor.DataType switch
        {
            TensorProto.Types.DataType.Float => ("float_data", tensor.FloatData.Count, count),
            TensorProto.Types.DataType.Complex64 => ("float_data", tensor.FloatData.Count, checked(2 * count)),
            TensorProto.Types.DataType.Double => ("double_data", tensor.DoubleData.Count, count),
            TensorProto.Types.DataType.Complex128 => ("double_data", tensor.DoubleData.Count, checked(2 * count)),
            TensorProto.Types.DataType.Int64 => ("int64_data", tensor.Int64Data.Count, count),
            TensorProto.Types.DataType.Uint32 or TensorProto.Types.DataType.Uint64 => ("uint64_data", tensor.Uint64Data.Count, count),
            TensorProto.Types.DataType.Uint4 or TensorProto.Types.DataType.Int4 or TensorProto.Types.DataType.Float4E2M1 => ("int32_data", tensor.Int32Data.Count, (count + 1) / 2),
            TensorProto.Types.DataType.Uint2 or TensorProto.Types.DataType.Int2 => ("int32_data", tensor.Int32Data.Count, (count + 3) / 4),
            _ => ("int32_data", tensor.Int32Data.Count, count),
        };
    }
}
