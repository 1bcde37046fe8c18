using GradDiag.OrtBackend.Graphs;
using GradDiag.OrtBackend.Models;
using GradDiag.OrtBackend.Onnx;

namespace GradDiag.OrtBackend.Standalone;

/// <summary>
/// A graph built from scratch (statistics, optimizer): declared inputs, nodes emitted through a
/// <see cref="GraphEmitter"/>, and outputs, saved as IR 10 with ai.onnx opset 21.
/// </summary>
/// <remarks>
/// IR 10 with opset 21 is the pairing of ONNX 1.16. ONNX Runtime 1.32 loads it, and every operator used
/// here (IsNaN and IsInf from opset 20, Reduce* with axes as an input from opset 18) exists at opset 21.
/// </remarks>
internal sealed class StandaloneGraph
{
    /// <summary>The IR version that standalone graphs declare.</summary>
    public const long IrVersion = 10;

    /// <summary>The default-domain opset that standalone graphs declare.</summary>
    public const int Opset = 21;

    private readonly GraphProto graph;

    public StandaloneGraph(string graphName, IEnumerable<(string Name, TensorInfo Info)> inputs, string namePrefix)
    {
        graph = new GraphProto { Name = graphName };
        foreach (var (name, info) in inputs)
        {
            graph.Input.Add(ValueInfo(name, info));
        }

        var types = TypeInference.Run(graph, Opset);
        Emitter = new GraphEmitter(types, graph.Input.Select(i => i.Name), Opset, namePrefix);
    }

    /// <summary>Gets the emitter that appends nodes and constants.</summary>
    public GraphEmitter Emitter { get; }

    /// <summary>Emits <c>Identity(value)</c> into the exact name <paramref name="outputName"/> and declares it a graph output.</summary>
    public void AddOutput(string outputName, string value, TensorInfo info)
    {
        if (!Emitter.TryReserve(outputName))
        {
            throw new InvalidOperationException($"The output name '{outputName}' is already used in graph '{graph.Name}'.");
        }

        Emitter.OpInto(outputName, "Identity", [value]);
        graph.Output.Add(ValueInfo(outputName, info));
    }

    /// <summary>Creates the model: the declared inputs, every emitted node and constant, and the outputs.</summary>
    public OnnxModel ToModel(string docString)
    {
        var model = new ModelProto
        {
            IrVersion = IrVersion,
            ProducerName = "GradDiag",
            ProducerVersion = typeof(StandaloneGraph).Assembly.GetName().Version?.ToString() ?? "0",
            DocString = docString,
            Graph = graph.Clone(),
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = string.Empty, Version = Opset });
        model.Graph.Node.AddRange(OutputCopies.Fold(Emitter.Nodes, graph.Output.Select(o => o.Name)));
        model.Graph.Initializer.AddRange(Emitter.Initializers);
        return new OnnxModel(model);
    }

    /// <summary>Creates a tensor ValueInfoProto; a dimension below 0 is left unknown.</summary>
    public static ValueInfoProto ValueInfo(string name, TensorInfo info)
    {
        var tensorType = new TypeProto.Types.Tensor { ElemType = info.ElementType };
        if (info.Dims is not null)
        {
            tensorType.Shape = new TensorShapeProto();
            foreach (var dim in info.Dims)
            {
                tensorType.Shape.Dim.Add(dim >= 0 ? new TensorShapeProto.Types.Dimension { DimValue = dim } : new TensorShapeProto.Types.Dimension());
            }
        }

        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = tensorType } };
    }

    /// <summary>Emits <c>Cast(value, FLOAT)</c> unless the value is already FLOAT.</summary>
    public string ToFloat(string value, int elementType) =>
        elementType == DataTypes.Float ? value : Emitter.Op("Cast", [value], Attributes.Int("to", DataTypes.Float));

    /// <summary>Emits a 1-D Concat of scalars (each unsqueezed to shape [1]).</summary>
    public string StackScalars(IReadOnlyList<string> scalars)
    {
        var pieces = scalars.Select(s => Emitter.Unsqueeze(s, 0)).ToArray();
        return pieces.Length == 1 ? pieces[0] : Emitter.Op("Concat", pieces, Attributes.Int("axis", 0));
    }
}
