using GradDiag.OrtBackend.Graphs;
using GradDiag.OrtBackend.Models;
using GradDiag.OrtBackend.Tests.Support;

namespace GradDiag.OrtBackend.Tests.Graphs;

public class TypeInferenceTests
{
    [Fact]
    public void MatMul_keeps_symbolic_batch()
    {
        var g = new GraphBuilder();
        var x = g.Input("x", [null, 3, 4]);
        var w = g.Initializer("w", [4, 5], new double[20]);
        var y = g.Node("MatMul", [x, w]);

        var types = TypeInference.Run(g.Graph, 17);

        types[y].ElementType.Should().Be(DataTypes.Double);
        types[y].Dims.Should().Equal(types[x].Dims![0], 3, 5);
        types[x].Dims![0].Should().BeLessThan(-1);
    }

    [Fact]
    public void Reshape_resolves_minus_one()
    {
        var g = new GraphBuilder();
        var x = g.Initializer("x", [2, 3, 4], new double[24]);
        var y = g.Node("Reshape", [x, g.Int64s("shape", 0, -1)]);

        var types = TypeInference.Run(g.Graph, 17);

        types[y].Dims.Should().Equal(2, 12);
    }

    [Fact]
    public void Shape_ops_are_int64_and_bool()
    {
        var g = new GraphBuilder();
        var x = g.Input("x", [null, 3]);
        var shape = g.Node("Shape", [x]);
        var equal = g.Node("Equal", [shape, g.Int64s("three", 3)]);
        var size = g.Node("Size", [x]);

        var types = TypeInference.Run(g.Graph, 17);

        types[shape].ElementType.Should().Be(DataTypes.Int64);
        types[shape].Dims.Should().Equal(2);
        types[equal].ElementType.Should().Be(DataTypes.Bool);
        types[size].Rank.Should().Be(0);
    }

    [Fact]
    public void Reduce_axes_input_by_opset()
    {
        var g = new GraphBuilder(18);
        var x = g.Initializer("x", [2, 3, 4], new double[24]);
        var y = g.Node("ReduceMean", [x, g.Int64s("axes", 1)], Attributes.Int("keepdims", 0));

        var types = TypeInference.Run(g.Graph, 18);

        types[y].Dims.Should().Equal(2, 4);
    }

    [Fact]
    public void Unsqueeze_negative_axes()
    {
        var g = new GraphBuilder(13);
        var x = g.Initializer("x", [2, 3], new double[6]);
        var y = g.Node("Unsqueeze", [x, g.Int64s("axes", 0, -1)]);

        var types = TypeInference.Run(g.Graph, 13);

        types[y].Dims.Should().Equal(1, 2, 3, 1);
    }

    [Fact]
    public void Slice_lengths_with_negative_step()
    {
        TypeInference.SliceLength(5, -1, 0, -2).Should().Be(2);
        TypeInference.SliceLength(5, 1, 100, 1).Should().Be(4);
        TypeInference.SliceLength(5, 3, 1, 1).Should().Be(0);
    }

    [Fact]
    public void Broadcast_rules()
    {
        TypeInference.Broadcast([2, 1, 4], [3, 1]).Should().Equal(2, 3, 4);
        TypeInference.Broadcast([-2, 3], [-2, 1]).Should().Equal(-2, 3);
        TypeInference.Broadcast([-1], [5]).Should().Equal(5);
    }

    [Fact]
    public void Value_info_fills_unknown_dims()
    {
        var g = new GraphBuilder();
        var x = g.Input("x", [2, 3]);
        var y = g.Node("Sin", [x]);
        g.Graph.ValueInfo.Add(new Onnx.ValueInfoProto
        {
            Name = y,
            Type = new Onnx.TypeProto { TensorType = new Onnx.TypeProto.Types.Tensor { ElemType = DataTypes.Double, Shape = new Onnx.TensorShapeProto { Dim = { new Onnx.TensorShapeProto.Types.Dimension { DimValue = 2 }, new Onnx.TensorShapeProto.Types.Dimension { DimValue = 3 } } } } },
        });

        var types = TypeInference.Run(g.Graph, 17);

        types[y].Dims.Should().Equal(2, 3);
    }
}
