using Google.Protobuf;
using GradDiag.OrtBackend.Graphs;
using GradDiag.OrtBackend.Models;
using GradDiag.OrtBackend.Onnx;
using GradDiag.OrtBackend.Tests.Support;

namespace GradDiag.OrtBackend.Tests.Models;

public class MalformedModelTests
{
    private static byte[] ValidBytes()
    {
        var g = new GraphBuilder();
        var w = g.Initializer("w", [2, 3], TestData.Uniform(6, 81));
        var y = g.Node("Relu", [w]);
        g.Output(y, [2, 3]);
        return g.Model.ToByteArray();
    }

    private static OnnxModelException LoadFails(byte[] bytes)
    {
        var act = () => OnnxModel.Load(bytes);
        return act.Should().Throw<OnnxModelException>().Which;
    }

    private static OnnxModelException LoadFails(GraphBuilder g) => LoadFails(g.Model.ToByteArray());

    [Fact]
    public void Truncated_protobuf_fails()
    {
        var bytes = ValidBytes();

        var error = LoadFails(bytes[..(bytes.Length / 2)]);

        error.Message.Should().Contain("not a valid ONNX protobuf");
        error.Source.Should().Be("bytes");
    }

    [Fact]
    public void Random_bytes_fail()
    {
        var bytes = new byte[256];
        new Random(5).NextBytes(bytes);

        LoadFails(bytes);
    }

    [Fact]
    public void Huge_length_prefix_fails()
    {
        // Field 7 (graph), wire type 2, followed by a length of 2^31 - 1 with no bytes after it.
        byte[] bytes = [0x08, 0x08, 0x3A, 0xFF, 0xFF, 0xFF, 0xFF, 0x07];

        var error = LoadFails(bytes);

        error.Message.Should().Contain("not a valid ONNX protobuf");
    }

    [Fact]
    public void Graph_with_wrong_wire_type_is_missing()
    {
        // Field 7 encoded as a varint: the parser skips it as an unknown field, so the model has no graph.
        byte[] bytes = [0x08, 0x08, 0x38, 0x01];

        var error = LoadFails(bytes);

        error.Field.Should().Be("ModelProto.graph");
        error.Message.Should().Contain("has no graph");
    }

    [Fact]
    public void Deep_nesting_fails()
    {
        var graph = new GraphProto { Name = "leaf" };
        for (var i = 0; i < 200; i++)
        {
            var node = new NodeProto { OpType = "If", Name = $"if{i}" };
            node.Attribute.Add(new AttributeProto { Name = "then_branch", Type = AttributeProto.Types.AttributeType.Graph, G = graph });
            graph = new GraphProto { Name = $"g{i}" };
            graph.Node.Add(node);
        }

        var model = new ModelProto { IrVersion = 8, Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Version = 17 });

        var error = LoadFails(model.ToByteArray());

        error.Message.Should().Contain("not a valid ONNX protobuf");
    }

    [Fact]
    public void Raw_data_length_mismatch_fails()
    {
        var g = new GraphBuilder();
        var tensor = Tensors.FromDoubles("w", DataTypes.Double, [2, 3], [1, 2, 3, 4, 5]);
        tensor.Dims[1] = 3;
        g.Graph.Initializer.Add(tensor);

        var error = LoadFails(g);

        error.Field.Should().Be("graph.initializer 'w'.raw_data");
        error.Expected.Should().StartWith("48 bytes");
        error.Found.Should().Be("40 bytes");
    }

    [Fact]
    public void Typed_field_count_mismatch_fails()
    {
        var g = new GraphBuilder();
        var tensor = new TensorProto { Name = "w", DataType = DataTypes.Float };
        tensor.Dims.Add(4);
        tensor.FloatData.Add([1f, 2f]);
        g.Graph.Initializer.Add(tensor);

        var error = LoadFails(g);

        error.Field.Should().Be("graph.initializer 'w'.float_data");
        error.Found.Should().Be("2");
    }

    [Fact]
    public void Huge_dimensions_fail_before_allocation()
    {
        var g = new GraphBuilder();
        var tensor = new TensorProto { Name = "w", DataType = DataTypes.Float, RawData = ByteString.CopyFrom(new byte[8]) };
        tensor.Dims.Add([1L << 30, 1L << 10]);
        g.Graph.Initializer.Add(tensor);

        var error = LoadFails(g);

        error.Message.Should().Contain("larger than one .NET array");
    }

    [Fact]
    public void Overflowing_dimensions_fail()
    {
        var g = new GraphBuilder();
        var tensor = new TensorProto { Name = "w", DataType = DataTypes.Float };
        tensor.Dims.Add([1L << 62, 8]);
        g.Graph.Initializer.Add(tensor);

        var error = LoadFails(g);

        error.Message.Should().Contain("overflows a 64-bit integer");
    }

    [Fact]
    public void Negative_dimension_fails()
    {
        var g = new GraphBuilder();
        var tensor = new TensorProto { Name = "w", DataType = DataTypes.Float };
        tensor.Dims.Add([2, -3]);
        g.Graph.Initializer.Add(tensor);

        var error = LoadFails(g);

        error.Field.Should().Be("graph.initializer 'w'.dims[1]");
        error.Found.Should().Be("-3");
    }

    [Fact]
    public void Unknown_data_type_fails()
    {
        var g = new GraphBuilder();
        var tensor = new TensorProto { Name = "w", DataType = 999, RawData = ByteString.CopyFrom(new byte[4]) };
        tensor.Dims.Add(1);
        g.Graph.Initializer.Add(tensor);

        var error = LoadFails(g);

        error.Field.Should().Be("graph.initializer 'w'.data_type");
        error.Found.Should().Be("UNKNOWN(999)");
    }

    [Fact]
    public void Node_order_violation_fails()
    {
        var g = new GraphBuilder();
        var w = g.Initializer("w", [2], [1, 2]);
        var late = g.Node("Relu", [w]);
        g.Graph.Node.Insert(0, new NodeProto { OpType = "Neg", Name = "early", Input = { late }, Output = { "early_out" } });

        var error = LoadFails(g);

        error.Field.Should().Be("graph.node[0] 'early' (Neg).input");
        error.Message.Should().Contain("topological order");
    }

    [Fact]
    public void Duplicate_output_fails()
    {
        var g = new GraphBuilder();
        var w = g.Initializer("w", [2], [1, 2]);
        var y = g.Node("Relu", [w]);
        g.Graph.Node.Add(new NodeProto { OpType = "Neg", Name = "again", Input = { w }, Output = { y } });

        var error = LoadFails(g);

        error.Message.Should().Contain("defined more than once");
    }

    [Fact]
    public void Sparse_initializer_fails()
    {
        var g = new GraphBuilder();
        g.Graph.SparseInitializer.Add(new SparseTensorProto { Values = Tensors.FromDoubles("s", DataTypes.Double, [1], [1.0]) });

        var error = LoadFails(g);

        error.Message.Should().Contain("Sparse initializers are not supported");
    }

    [Fact]
    public void Segmented_tensor_fails()
    {
        var g = new GraphBuilder();
        var tensor = Tensors.FromDoubles("w", DataTypes.Double, [1], [1.0]);
        tensor.Segment = new TensorProto.Types.Segment { Begin = 0, End = 1 };
        g.Graph.Initializer.Add(tensor);

        var error = LoadFails(g);

        error.Field.Should().Be("graph.initializer 'w'.segment");
    }

    [Fact]
    public void External_fields_without_location_flag_fail()
    {
        var g = new GraphBuilder();
        var tensor = Tensors.FromDoubles("w", DataTypes.Double, [1], [1.0]);
        tensor.ExternalData.Add(new StringStringEntryProto { Key = "location", Value = "w.bin" });
        g.Graph.Initializer.Add(tensor);

        var error = LoadFails(g);

        error.Message.Should().Contain("data_location is not EXTERNAL");
    }

    [Fact]
    public void Constant_attribute_tensor_is_checked()
    {
        var g = new GraphBuilder();
        var bad = Tensors.FromDoubles(string.Empty, DataTypes.Double, [3], [1.0]);
        bad.Dims[0] = 3;
        g.Node("Constant", [], Attributes.Tensor("value", bad));

        var error = LoadFails(g);

        error.Field.Should().Be("graph.node[0] 'constant0' (Constant).attribute 'value'.t.raw_data");
    }

    [Fact]
    public void Missing_ir_version_fails()
    {
        var g = new GraphBuilder();
        g.Model.IrVersion = 0;

        var error = LoadFails(g);

        error.Field.Should().Be("ModelProto.ir_version");
    }

    [Fact]
    public void Duplicate_opset_domain_fails()
    {
        var g = new GraphBuilder();
        g.Model.OpsetImport.Add(new OperatorSetIdProto { Domain = "ai.onnx", Version = 18 });

        var error = LoadFails(g);

        error.Message.Should().Contain("imported more than once");
    }

    [Fact]
    public void Missing_file_fails()
    {
        var act = () => OnnxModel.Load("/nonexistent/graddiag/model.onnx");

        act.Should().Throw<OnnxModelException>().WithMessage("*/nonexistent/graddiag/model.onnx*not found*");
    }
}
