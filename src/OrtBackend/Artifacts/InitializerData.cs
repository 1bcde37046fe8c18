using System.Buffers.Binary;
using GradDiag.OrtBackend.Models;
using GradDiag.OrtBackend.Onnx;

namespace GradDiag.OrtBackend.Artifacts;

/// <summary>Returns an initializer's values as little-endian raw bytes, whichever TensorProto field stores them.</summary>
internal static class InitializerData
{
    /// <exception cref="ArtifactException">The element type is not FLOAT, DOUBLE, FLOAT16 or BFLOAT16.</exception>
    public static byte[] ToRawBytes(TensorProto tensor)
    {
        if (!tensor.RawData.IsEmpty)
        {
            return tensor.RawData.ToByteArray();
        }

        switch (tensor.DataType)
        {
            case DataTypes.Float:
                var floats = new byte[tensor.FloatData.Count * 4];
                for (var i = 0; i < tensor.FloatData.Count; i++)
                {
                    BinaryPrimitives.WriteSingleLittleEndian(floats.AsSpan(i * 4), tensor.FloatData[i]);
                }

                return floats;
            case DataTypes.Double:
                var doubles = new byte[tensor.DoubleData.Count * 8];
                for (var i = 0; i < tensor.DoubleData.Count; i++)
                {
                    BinaryPrimitives.WriteDoubleLittleEndian(doubles.AsSpan(i * 8), tensor.DoubleData[i]);
                }

                return doubles;
            case DataTypes.Float16:
            case DataTypes.BFloat16:
                // The int32_data field stores the 16-bit patterns, one per element.
                var halves = new byte[tensor.Int32Data.Count * 2];
                for (var i = 0; i < tensor.Int32Data.Count; i++)
                {
                    BinaryPrimitives.WriteUInt16LittleEndian(halves.AsSpan(i * 2), (ushort)tensor.Int32Data[i]);
                }

                return halves;
            default:
                throw new ArtifactException($"The initializer '{tensor.Name}' has element type {DataTypes.Name(tensor.DataType)}; checkpoints store FLOAT, DOUBLE, FLOAT16 and BFLOAT16 tensors only.");
        }
    }
}
