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
    /// <exception cref="OnnxModelException">The model would reach the 2 GiB protobuf limit.</exception>
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

    internal static long DefaultOpset(ModelProto proto) =>
        proto.OpsetImport.FirstOrDefault(o => o.Domain is "" or "ai.onnx")?.Version ?? 0;

    private void CheckSize(string destination)
    {
        // NOTE: writing external data is not implemented, so models of 2 GiB or more cannot be saved.
        var size = Proto.CalculateSize();
        if (size < 0 || size == int.MaxValue)
        {
            throw new OnnxModelException(destination, "ModelProto", "The model is too large for one protobuf message; saving tensors as external data is not supported.", "less than 2 GiB", "2 GiB or more");
        }
    }
}
