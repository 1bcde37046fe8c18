using BenchmarkDotNet.Attributes;
using GradDiag.OrtBackend.Gradients;
using GradDiag.OrtBackend.Graphs;
using GradDiag.OrtBackend.Models;
using GradDiag.OrtBackend.Onnx;

namespace GradDiag.Benchmarks.OrtBackend;

/// <summary>
/// Measures how long <see cref="GradientGraphBuilder.Build"/> takes for a 500-node forward graph: 124
/// blocks of MatMul, Add, Tanh and Mul (an MLP with a per-block scale), plus a four-node loss head
/// (square, ReduceMean, scale by ½, Identity). The batch dimension is either fixed or symbolic, which switches
/// broadcast undoing between build-time axes and in-graph shape arithmetic.
/// </summary>
[MemoryDiagnoser]
public class GradientBuildBenchmarks
{
    private const int Blocks = 124;
    private const int Width = 16;

    private OnnxModel model = null!;
    private string lossName = string.Empty;

    [Params(false, true)]
    public bool SymbolicBatch { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        (model, lossName) = CreateModel(SymbolicBatch);
        var training = GradientGraphBuilder.Build(model, lossName);
        var backward = training.NodeCount - model.NodeCount;
        Console.WriteLine($"// forward nodes: {model.NodeCount}, backward nodes: {backward}, ratio: {(double)backward / model.NodeCount:F2}");
    }

    [Benchmark]
    public int Build() => GradientGraphBuilder.Build(model, lossName).NodeCount;

    /// <summary>Creates the forward model; internal so that tests can check the node count.</summary>
    internal static (OnnxModel Model, string Loss) CreateModel(bool symbolicBatch)
    {
        var graph = new GraphProto { Name = "mlp" };
        var inputShape = new TensorShapeProto();
        inputShape.Dim.Add(symbolicBatch ? new TensorShapeProto.Types.Dimension { DimParam = "batch" } : new TensorShapeProto.Types.Dimension { DimValue = 32 });
        inputShape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = Width });
        graph.Input.Add(new ValueInfoProto { Name = "x", Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = DataTypes.Float, Shape = inputShape } } });

        var random = new Random(1);
        var current = "x";
        for (var i = 0; i < Blocks; i++)
        {
            var weights = Enumerable.Range(0, Width * Width).Select(_ => random.NextDouble() - 0.5).ToArray();
            graph.Initializer.Add(Tensors.FromDoubles($"w{i}", DataTypes.Float, [Width, Width], weights));
            graph.Initializer.Add(Tensors.FromDoubles($"b{i}", DataTypes.Float, [Width], new double[Width]));
            graph.Initializer.Add(Tensors.FromDoubles($"s{i}", DataTypes.Float, [1, Width], Enumerable.Repeat(1.0, Width).ToArray()));
            current = AddNode(graph, "MatMul", $"mm{i}", current, $"w{i}");
            current = AddNode(graph, "Add", $"add{i}", current, $"b{i}");
            current = AddNode(graph, "Tanh", $"tanh{i}", current);
            current = AddNode(graph, "Mul", $"scale{i}", current, $"s{i}");
        }

        graph.Initializer.Add(Tensors.FromDoubles("half", DataTypes.Float, [], [0.5]));
        var square = AddNode(graph, "Mul", "square", current, current);
        var mean = AddNode(graph, "ReduceMean", "mean", square);
        graph.Node[^1].Attribute.Add(Attributes.Int("keepdims", 0));
        var scaled = AddNode(graph, "Mul", "half_mean", mean, "half");
        var loss = AddNode(graph, "Identity", "loss", scaled);
        var lossInfo = new TypeProto.Types.Tensor { ElemType = DataTypes.Float, Shape = new TensorShapeProto() };
        graph.Output.Add(new ValueInfoProto { Name = loss, Type = new TypeProto { TensorType = lossInfo } });

        var proto = new ModelProto { IrVersion = 8, Graph = graph };
        proto.OpsetImport.Add(new OperatorSetIdProto { Version = 17 });
        return (new OnnxModel(proto), loss);
    }

    private static string AddNode(GraphProto graph, string opType, string name, params string[] inputs)
    {
        var node = new NodeProto { OpType = opType, Name = name };
        node.Input.AddRange(inputs);
        node.Output.Add(name + "_out");
        graph.Node.Add(node);
        return name + "_out";
    }
}
