using Google.Protobuf;
using GradDiag.OrtBackend.Onnx;

namespace GradDiag.OrtBackend.Models;

/// <summary>Parses ONNX model bytes, loads external data and checks the graph before anyone uses it.</summary>
internal static class ModelReader
{
    public static ModelProto ReadFile(string path)
    {
        var fullPath = Path.GetFullPath(path);
        var info = new FileInfo(fullPath);
        if (!info.Exists)
        {
            throw new OnnxModelException(fullPath, "file", "The model file was not found.");
        }

        if (info.Length > int.MaxValue)
        {
            throw new OnnxModelException(fullPath, "file", "A protobuf model must be smaller than 2 GiB; store large tensors as external data.", $"at most {int.MaxValue} bytes", $"{info.Length} bytes");
        }

        var bytes = File.ReadAllBytes(fullPath);
        return Read(bytes, fullPath, Path.GetDirectoryName(fullPath));
    }

    public static ModelProto Read(ReadOnlySpan<byte> bytes, string source, string? externalDataDirectory)
    {
        ModelProto model;
        try
        {
            // Google.Protobuf checks every length prefix against the remaining bytes and limits message
            // nesting to 100 levels, so a hostile length or depth fails here instead of allocating.
            model = ModelProto.Parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException ex)
        {
            throw new OnnxModelException(source, "ModelProto", $"The bytes are not a valid ONNX protobuf ({ex.Message}).", innerException: ex);
        }

        Validate(model, source, externalDataDirectory);
        FunctionInliner.InlineAll(model, source);
        return model;
    }

    /// <summary>Checks the model-level fields, every tensor and the graph's node order.</summary>
    public static void Validate(ModelProto model, string source, string? externalDataDirectory)
    {
        if (model.Graph is null)
        {
            throw new OnnxModelException(source, "ModelProto.graph", "The model has no graph.", "a GraphProto in field 7", "none");
        }

        if (model.IrVersion <= 0)
        {
            throw new OnnxModelException(source, "ModelProto.ir_version", "The IR version is missing or invalid.", "a positive version", model.IrVersion.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        var domains = new HashSet<string>(StringComparer.Ordinal);
        foreach (var opset in model.OpsetImport)
        {
            var domain = opset.Domain == "ai.onnx" ? string.Empty : opset.Domain;
            if (!domains.Add(domain))
            {
                throw new OnnxModelException(source, "ModelProto.opset_import", $"The domain '{opset.Domain}' is imported more than once.");
            }

            if (opset.Version <= 0)
            {
                throw new OnnxModelException(source, $"ModelProto.opset_import['{opset.Domain}'].version", "The opset version is invalid.", "a positive version", opset.Version.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        ValidateGraph(model.Graph, source, externalDataDirectory, "graph");
    }

    private static void ValidateGraph(GraphProto graph, string source, string? externalDataDirectory, string path)
    {
        if (graph.SparseInitializer.Count > 0)
        {
            // NOTE: sparse initializers could be densified; no exporter GradDiag targets produces them.
            throw new OnnxModelException(source, $"{path}.sparse_initializer['{graph.SparseInitializer[0].Values?.Name}']", "Sparse initializers are not supported.");
        }

        foreach (var tensor in graph.Initializer)
        {
            ValidateTensor(tensor, source, externalDataDirectory, $"{path}.initializer '{tensor.Name}'");
        }

        var defined = new HashSet<string>(StringComparer.Ordinal);
        foreach (var input in graph.Input)
        {
            defined.Add(input.Name);
        }

        foreach (var tensor in graph.Initializer)
        {
            defined.Add(tensor.Name);
        }

        for (var index = 0; index < graph.Node.Count; index++)
        {
            var node = graph.Node[index];
            var nodePath = $"{path}.node[{index}] '{node.Name}' ({node.OpType})";
            if (string.IsNullOrEmpty(node.OpType))
            {
                throw new OnnxModelException(source, $"{path}.node[{index}].op_type", "The node has no operator type.");
            }

            foreach (var attribute in node.Attribute)
            {
                ValidateAttribute(attribute, source, externalDataDirectory, $"{nodePath}.attribute '{attribute.Name}'");
            }

            // Subgraph bodies may read outer-scope values, which are defined here only for the top level.
            var hasSubgraph = node.Attribute.Any(a => a.G is not null || a.Graphs.Count > 0);
            foreach (var input in node.Input)
            {
                if (input.Length > 0 && !hasSubgraph && path == "graph" && !defined.Contains(input))
                {
                    throw new OnnxModelException(source, $"{nodePath}.input", $"The input '{input}' is not a graph input, an initializer or the output of an earlier node (nodes must be in topological order).");
                }
            }

            foreach (var output in node.Output)
            {
                if (output.Length > 0 && !defined.Add(output))
                {
                    throw new OnnxModelException(source, $"{nodePath}.output", $"The value '{output}' is defined more than once; ONNX values must have exactly one producer.");
                }
            }
        }

        if (path == "graph")
        {
            foreach (var output in graph.Output)
            {
                if (!defined.Contains(output.Name))
                {
                    throw new OnnxModelException(source, $"{path}.output '{output.Name}'", "The graph output is not produced by any node, input or initializer.");
                }
            }
        }
    }

    private static void ValidateAttribute(AttributeProto attribute, string source, string? externalDataDirectory, string path)
    {
        if (attribute.T is not null)
        {
            ValidateTensor(attribute.T, source, externalDataDirectory, $"{path}.t");
        }

        for (var i = 0; i < attribute.Tensors.Count; i++)
        {
            ValidateTensor(attribute.Tensors[i], source, externalDataDirectory, $"{path}.tensors[{i}]");
        }

        if (attribute.G is not null)
        {
            ValidateGraph(attribute.G, source, externalDataDirectory, $"{path}.g");
        }

        for (var i = 0; i < attribute.Graphs.Count; i++)
        {
            ValidateGraph(attribute.Graphs[i], source, externalDataDirectory, $"{path}.graphs[{i}]");
        }
    }

    private static void ValidateTensor(TensorProto tensor, string source, string? externalDataDirectory, string label)
    {
        if (tensor.DataLocation == TensorProto.Types.DataLocation.External)
        {
            ExternalDataReader.Load(tensor, externalDataDirectory, source, label);
        }
        else if (tensor.DataLocation != TensorProto.Types.DataLocation.Default)
        {
            throw new OnnxModelException(source, $"{label}.data_location", "Unknown data location.", "DEFAULT (0) or EXTERNAL (1)", ((int)tensor.DataLocation).ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        else if (tensor.ExternalData.Count > 0)
        {
            throw new OnnxModelException(source, $"{label}.external_data", "External data entries are set but data_location is not EXTERNAL.");
        }

        TensorLayout.ValidateInline(tensor, source, label);
    }
}
