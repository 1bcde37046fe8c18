using GradDiag.OrtBackend.Onnx;

namespace GradDiag.OrtBackend.Models;

/// <summary>Facts about ONNX tensor element types (the <c>TensorProto.DataType</c> enum).</summary>
internal static class DataTypes
{
    public const int Float = (int)TensorProto.Types.DataType.Float;
    public const int Double = (int)TensorProto.Types.DataType.Double;
    public const int Float16 = (int)TensorProto.Types.DataType.Float16;
    public const int BFloat16 = (int)TensorProto.Types.DataType.Bfloat16;
    public const int Int64 = (int)TensorProto.Types.DataType.Int64;
    public const int Int32 = (int)TensorProto.Types.DataType.Int32;
    public const int Bool = (int)TensorProto.Types.DataType.Bool;
    public const int String = (int)TensorProto.Types.DataType.String;

    /// <summary>Returns whether values of this type carry gradients (floating-point, not complex).</summary>
    public static bool IsDifferentiable(int dataType) =>
        dataType is Float or Double or Float16 or BFloat16;

    /// <summary>Returns the name of a data type, such as FLOAT or INT64, for messages.</summary>
    public static string Name(int dataType) =>
        Enum.IsDefined(typeof(TensorProto.Types.DataType), dataType)
            ? ((TensorProto.Types.DataType)dataType).ToString().ToUpperInvariant()
            : $"UNKNOWN({dataType})";

    /// <summary>
    /// Returns the number of bits one element takes in raw_data, or 0 for STRING, UNDEFINED and unknown
    /// types, which have no fixed-width raw layout.
    /// </summary>
    public static int BitsPerElement(int dataType) => (TensorProto.Types.DataType)dataType switch
    {
        TensorProto.Types.DataType.Bool or TensorProto.Types.DataType.Uint8 or TensorProto.Types.DataType.Int8 => 8,
        TensorProto.Types.DataType.Float8E4M3Fn or TensorProto.Types.DataType.Float8E4M3Fnuz => 8,
        TensorProto.Types.DataType.Float8E5M2 or TensorProto.Types.DataType.Float8E5M2Fnuz => 8,
        TensorProto.Types.DataType.Float8E8M0 => 8,
        TensorProto.Types.DataType.Uint16 or TensorProto.Types.DataType.Int16 => 16,
        TensorProto.Types.DataType.Float16 or TensorProto.Types.DataType.Bfloat16 => 16,
        TensorProto.Types.DataType.Float or TensorProto.Types.DataType.Int32 or TensorProto.Types.DataType.Uint32 => 32,
        TensorProto.Types.DataType.Double or TensorProto.Types.DataType.Int64 or TensorProto.Types.DataType.Uint64 => 64,
        TensorProto.Types.DataType.Complex64 => 64,
        TensorProto.Types.DataType.Complex128 => 128,
        TensorProto.Types.DataType.Uint4 or TensorProto.Types.DataType.Int4 or TensorProto.Types.DataType.Float4E2M1 => 4,
        TensorProto.Types.DataType.Uint2 or TensorProto.Types.DataType.Int2 => 2,
        _ => 0,
    };
}
