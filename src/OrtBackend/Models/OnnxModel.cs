using Google.Protobuf;
using GradDiag.OrtBackend.Onnx;

namespace GradDiag.OrtBackend.Models;

/// <summary>
/// An ONNX model held in memory: loaded from a file or bytes (external data resolved and checked,
/// model-local functions inlined) and saved back as one self-contained protobuf.
/// </summary>
public sealed class OnnxModel
{
    internal OnnxModel(ModelProto proto)
    {
        Proto = proto;
    }

    /// <summary>Gets the IR version of the file format.</summary>
    public long IrVersion => Proto.IrVersion;

    /// <summary>Gets the opset version of the default (ai.onnx) domain, or 0 when the model imports none.</summary>
    public long Opset => DefaultOpset(Proto);

    /// <summary>Gets the names of the graph inputs, in graph order.</summary>
    public IReadOnlyList<string> InputNames => Proto.Graph.Input.Select(i => i.Name).ToArray();

    /// <summary>Gets the names of the graph outputs, in graph order.</summary>
    public IReadOnlyList<string> OutputNames => Proto.Graph.Output.Select(o => o.Name).ToArray();

    /// <summary>Gets the names of the initializers (constants and weights), in graph order.</summary>
    public IReadOnlyList<string> InitializerNames => Proto.Graph.Initializer.Select(i => i.Name).ToArray();

    /// <summary>Gets the number of nodes in the main graph.</summary>
    public int NodeCount => Proto.Graph.Node.Count;

    internal ModelProto Proto { get; }

    /// <summary>Loads a model file, reading external data from files next to it.</summary>
    /// <param name="path">The .onnx file.</param>
    /// <returns>The loaded model.</returns>
    /// <exception cref="OnnxModelException">The file is missing, malformed or unsafe; the message names the field.</exception>
    public static OnnxModel Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return new OnnxModel(ModelReader.ReadFile(path));
    }

    /// <summary>Loads a model from bytes.</summary>
    /// <param name="bytes">The serialized ModelProto.</param>
    /// <param name="externalDataDirectory">
    /// The folder that external data locations are relative to, or null to reject models with external data.
    /// </param>
    /// <returns>The loaded model.</returns>
    /// <exception cref="OnnxModelException">The bytes are malformed or unsafe; the message names the field.</exception>
    public static OnnxModel Load(ReadOnlySpan<byte> bytes, string? externalDataDirectory = null) =>
        new(ModelReader.Read(bytes, "bytes", externalDataDirectory));

    /// <summary>Serializes the model with all tensor data inline.</summary>
    /// <returns>The ModelProto bytes.</returns>
    /// <exception cref="OnnxModelException">The model would reach the 2 GiB protobuf limit.</exception>
    public byte[] ToByteArray()
    {
        CheckSize("bytes");
        return Proto.ToByteArray();
    }

    /// <summary>
    /// Writes the model to <paramref name="path"/> through a temporary file in the same folder, so the
    /// destination contains either the old or the new model, never a partial one.
    /// </summary>
    /// <param name="path">The destination .onnx file.</param>
    /// <exception cref="OnnxModelException">The model would reach the 2 GiB protobuf limit; use the overload with an external data file.</exception>
    public void Save(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var fullPath = Path.GetFullPath(path);
        CheckSize(fullPath);

        var temporary = fullPath + ".tmp-" + Guid.NewGuid().ToString("N");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write))
            {
                Proto.WriteTo(stream);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, fullPath, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary))
            {
                File.Delete(temporary);
            }
        }
    }

    /// <summary>
    /// Writes the model to <paramref name="path"/> with every initializer of at least
    /// <paramref name="threshold"/> bytes stored in <paramref name="externalDataFileName"/> in the same folder.
    /// Both files are written to temporary names first and then moved into place (data file first), and a
    /// destination that is a symbolic link is replaced, not followed.
    /// </summary>
    /// <param name="path">The destination .onnx file.</param>
    /// <param name="externalDataFileName">A plain file name (no folders) for the tensor data, such as <c>model.onnx.data</c>.</param>
    /// <param name="threshold">The smallest raw tensor size, in bytes, that goes to the external file. Default 1024.</param>
    /// <exception cref="OnnxModelException">The file name is not a plain name, or the model part is 2 GiB or more.</exception>
    public void Save(string path, string externalDataFileName, long threshold = 1024)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(externalDataFileName);
        ArgumentOutOfRangeException.ThrowIfNegative(threshold);
        var fullPath = Path.GetFullPath(path);
        ExternalDataWriter.ValidateFileName(externalDataFileName, fullPath);

        var folder = Path.GetDirectoryName(fullPath)!;
        var dataPath = Path.Combine(folder, externalDataFileName);
        if (string.Equals(dataPath, fullPath, StringComparison.Ordinal))
        {
            throw new OnnxModelException(fullPath, "external data file name", "The external data file must differ from the model file.", null, $"'{externalDataFileName}'");
        }

        var copy = new OnnxModel(Proto.Clone());
        var temporaryData = dataPath + ".tmp-" + Guid.NewGuid().ToString("N");
        try
        {
            ExternalDataWriter.Write(copy.Proto, temporaryData, externalDataFileName, threshold);
            copy.CheckSize(fullPath);
            File.Move(temporaryData, dataPath, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporaryData))
            {
                File.Delete(temporaryData);
            }
        }

        copy.Save(fullPath);
    }

    internal static long DefaultOpset(ModelProto proto) =>
        proto.OpsetImport.FirstOrDefault(o => o.Domain is "" or "ai.onnx")?.Version ?? 0;

    private void CheckSize(string destination)
    {
        var size = Proto.CalculateSize();
        if (size < 0 || size == int.MaxValue)
        {
            throw new OnnxModelException(destination, "ModelProto", "The model is too large for one protobuf message; save it with an external data file.", "less than 2 GiB", "2 GiB or more");
        }
    }
}
