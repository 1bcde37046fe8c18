using System.Globalization;
using Google.Protobuf;
using GradDiag.OrtBackend.Onnx;

namespace GradDiag.OrtBackend.Models;

/// <summary>
/// Moves large initializers of a model copy into one external data file next to the model, aligned to
/// 4096-byte offsets as the ONNX external-data documentation recommends for memory mapping.
/// </summary>
internal static class ExternalDataWriter
{
    private const int Alignment = 4096;

    /// <summary>Checks that <paramref name="fileName"/> is a plain file name, so data lands in the model's folder.</summary>
    public static void ValidateFileName(string fileName, string destination)
    {
        var invalid = fileName.Length == 0
            || fileName is "." or ".."
            || fileName.Contains('/', StringComparison.Ordinal)
            || fileName.Contains('\\', StringComparison.Ordinal)
            || fileName.Contains(':', StringComparison.Ordinal)
            || fileName.Contains('\0', StringComparison.Ordinal);
        if (invalid)
        {
            throw new OnnxModelException(destination, "external data file name", "The external data file name must be a plain file name in the model's folder.", "a name without '/', '\\', ':' or '..'", $"'{fileName}'");
        }
    }

    /// <summary>
    /// Writes every initializer whose raw_data has at least <paramref name="threshold"/> bytes to
    /// <paramref name="dataPath"/> and turns it into an external reference in <paramref name="model"/>.
    /// </summary>
    public static void Write(ModelProto model, string dataPath, string fileName, long threshold)
    {
        using var stream = new FileStream(dataPath, FileMode.CreateNew, FileAccess.Write);
        foreach (var tensor in model.Graph.Initializer)
        {
            // NOTE: tensors stored in typed fields (float_data and so on) stay inline; GradDiag writes raw_data.
            if (tensor.RawData.Length < threshold || tensor.RawData.IsEmpty)
            {
                continue;
            }

            var offset = (stream.Position + Alignment - 1) / Alignment * Alignment;
            stream.SetLength(offset);
            stream.Position = offset;
            stream.Write(tensor.RawData.Span);

            tensor.ExternalData.Add(new StringStringEntryProto { Key = "location", Value = fileName });
            tensor.ExternalData.Add(new StringStringEntryProto { Key = "offset", Value = offset.ToString(CultureInfo.InvariantCulture) });
            tensor.ExternalData.Add(new StringStringEntryProto { Key = "length", Value = tensor.RawData.Length.ToString(CultureInfo.InvariantCulture) });
            tensor.DataLocation = TensorProto.Types.DataLocation.External;
            tensor.RawData = ByteString.Empty;
        }

        stream.Flush(flushToDisk: true);
    }
}
