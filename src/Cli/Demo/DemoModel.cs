using Google.Protobuf;
using GradDiag.OrtBackend.Graphs;
using GradDiag.OrtBackend.Models;
using GradDiag.OrtBackend.Onnx;

namespace GradDiag.Cli.Demo;

/// <summary>
/// A fully connected classifier for the 64-pixel digits, written as an ONNX model: Gemm layers with an optional
/// activation after each hidden layer, weights drawn from a seeded normal distribution.
/// </summary>
/// <param name="Name">The run name, also the model file name.</param>
/// <param name="HiddenWidths">The width of each hidden layer, input side first.</param>
/// <param name="Activation">The ONNX operator after each hidden layer (<c>Relu</c>, <c>Sigmoid</c>), or null for none.</param>
/// <param name="WeightScale">The factor on the standard deviation 1/sqrt(fan-in) of the initial weights.</param>
internal sealed record DemoModel(string Name, IReadOnlyList<int> HiddenWidths, string? Activation, double WeightScale)
{
    /// <summary>The number of input pixels of a digit.</summary>
    public const int InputWidth = 64;

    /// <summary>The number of classes.</summary>
    public const int ClassCount = 10;

    /// <summary>Writes the model to <paramref name="path"/> with weights drawn from <paramref name="seed"/>.</summary>
    public void Save(string path, int seed)
    {
        var random = new Random(seed);
        var graph = new GraphProto { Name = Name };
        graph.Input.Add(Value("input", InputWidth));
        string current = "input";
        int fanIn = InputWidth;
        int[] widths = [.. HiddenWidths, ClassCount];
        for (int layer = 0; layer < widths.Length; layer++)
        {
            string prefix = layer == widths.Length - 1 ? "out" : $"fc{layer + 1}";
            int fanOut = widths[layer];
            double deviation = WeightScale / Math.Sqrt(fanIn);
            double[] weights = Enumerable.Range(0, fanOut * fanIn).Select(_ => deviation * Normal(random)).ToArray();
            graph.Initializer.Add(Tensors.FromDoubles($"{prefix}.weight", DataTypes.Float, [fanOut, fanIn], weights));
            graph.Initializer.Add(Tensors.FromDoubles($"{prefix}.bias", DataTypes.Float, [fanOut], new double[fanOut]));

            bool last = layer == widths.Length - 1;
            string output = last ? "logits" : $"{prefix}.linear";
            var gemm = new NodeProto { Name = $"{prefix}.gemm", OpType = "Gemm" };
            gemm.Input.Add(current);
            gemm.Input.Add($"{prefix}.weight");
            gemm.Input.Add($"{prefix}.bias");
            gemm.Output.Add(output);
            gemm.Attribute.Add(new AttributeProto { Name = "transB", Type = AttributeProto.Types.AttributeType.Int, I = 1 });
            graph.Node.Add(gemm);
            current = output;

            if (!last && Activation is string activation)
            {
                var node = new NodeProto { Name = $"{prefix}.{activation.ToLowerInvariant()}", OpType = activation };
                node.Input.Add(current);
                node.Output.Add($"{prefix}.out");
                graph.Node.Add(node);
                current = $"{prefix}.out";
            }

            fanIn = fanOut;
        }

        graph.Output.Add(Value("logits", ClassCount));
        var model = new ModelProto { IrVersion = 8, ProducerName = "graddiag demo", Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = string.Empty, Version = 17 });
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.WriteAllBytes(path, model.ToByteArray());
    }

    private static ValueInfoProto Value(string name, int width)
    {
        var shape = new TensorShapeProto();
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = "batch" });
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = width });
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = DataTypes.Float, Shape = shape } },
        };
    }

    /// <summary>Draws a standard normal value with the Box-Muller transform.</summary>
    private static double Normal(Random random)
    {
        double u = 1.0 - random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u)) * Math.Cos(2.0 * Math.PI * random.NextDouble());
    }
}
