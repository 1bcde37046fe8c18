using GradDiag.OrtBackend.Graphs;
using GradDiag.OrtBackend.Models;
using GradDiag.OrtBackend.Onnx;

namespace GradDiag.OrtBackend.Tests.Support;

/// <summary>Builds small forward models in C# for tests: inputs, initializers, nodes and outputs.</summary>
internal sealed class GraphBuilder
{
    private readonly ModelProto model;
    private int counter;

    public GraphBuilder(int opset = 17, int elementType = DataTypes.Double)
    {
        ElementType = elementType;
        model = new ModelProto { IrVersion = 8, ProducerName = "GradDiag.Tests", Graph = new GraphProto { Name = "test" } };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = string.Empty, Version = opset });
    }

    public int ElementType { get; }

    public ModelProto Model => model;

    public GraphProto Graph => model.Graph;

    /// <summary>Adds a graph input; a null dimension is symbolic (named by <paramref name="symbol"/>).</summary>
    public string Input(string name, long?[]? dims, int? elementType = null, string symbol = "N")
    {
        model.Graph.Input.Add(ValueInfo(name, elementType ?? ElementType, dims, symbol));
        return name;
    }

    public string Initializer(string name, long[] dims, double[] values)
    {
        model.Graph.Initializer.Add(Tensors.FromDoubles(name, ElementType, dims, values));
        return name;
    }

    public string Int64s(string name, params long[] values)
    {
        model.Graph.Initializer.Add(Tensors.FromInt64s(name, [values.Length], values));
        return name;
    }

    public string Node(string opType, string[] inputs, params AttributeProto[] attributes) =>
        NodeMulti(opType, inputs, 1, attributes)[0];

    public string[] NodeMulti(string opType, string[] inputs, int outputs, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = opType, Name = $"{opType.ToLowerInvariant()}{counter}" };
        node.Input.AddRange(inputs);
        for (var i = 0; i < outputs; i++)
        {
            node.Output.Add($"{opType.ToLowerInvariant()}{counter}_out{i}");
        }

        node.Attribute.AddRange(attributes);
        counter++;
        model.Graph.Node.Add(node);
        return node.Output.ToArray();
    }

    /// <summary>
    /// Adds loss = ReduceSum(value · R) with R a fixed random initializer of <paramref name="dims"/> (the
    /// value's shape), so every element of the value gets a different gradient.
    /// </summary>
    public string WeightedSumLoss(string value, long[] dims, int seed = 99)
    {
        var random = new Random(seed);
        var count = (int)dims.Aggregate(1L, (p, d) => p * d);
        var weights = Enumerable.Range(0, count).Select(_ => random.NextDouble() * 2 - 1).ToArray();
        var r = Initializer($"loss_weights{counter}", dims, weights);
        var product = Node("Mul", [value, r]);
        var loss = Node("ReduceSum", [product], Attributes.Int("keepdims", 0));
        Output(loss, []);
        return loss;
    }

    public void Output(string name, long?[]? dims, int? elementType = null) =>
        model.Graph.Output.Add(ValueInfo(name, elementType ?? ElementType, dims, "N"));

    public OnnxModel ToModel() => new(model.Clone());

    private static ValueInfoProto ValueInfo(string name, int elementType, long?[]? dims, string symbol)
    {
        var tensorType = new TypeProto.Types.Tensor { ElemType = elementType };
        if (dims is not null)
        {
            tensorType.Shape = new TensorShapeProto();
            foreach (var dim in dims)
            {
                tensorType.Shape.Dim.Add(dim is { } value
                    ? new TensorShapeProto.Types.Dimension { DimValue = value }
                    : new TensorShapeProto.Types.Dimension { DimParam = symbol });
            }
        }

        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = tensorType } };
    }
}
