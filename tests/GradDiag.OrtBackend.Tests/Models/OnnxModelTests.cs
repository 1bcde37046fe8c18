using Google.Protobuf;
using GradDiag.OrtBackend.Graphs;
using GradDiag.OrtBackend.Models;
using GradDiag.OrtBackend.Onnx;
using GradDiag.OrtBackend.Tests.Support;
using Microsoft.ML.OnnxRuntime;

namespace GradDiag.OrtBackend.Tests.Models;

public sealed class OnnxModelTests : IDisposable
{
    private readonly TempDirectory folder = new();

    public void Dispose() => folder.Dispose();

    private static GraphBuilder SmallModel()
    {
        var g = new GraphBuilder(18);
        var x = g.Input("x", [null, 2]);
        var w = g.Initializer("w", [2, 2], [1, 2, 3, 4]);
        var y = g.Node("MatMul", [x, w]);
        g.Output(y, [null, 2]);
        return g;
    }

    [Fact]
    public void Save_then_load_round_trips()
    {
        var model = SmallModel().ToModel();
        var path = folder.File("model.onnx");

        model.Save(path);
        var loaded = OnnxModel.Load(path);

        loaded.ToByteArray().Should().Equal(model.ToByteArray());
        loaded.Opset.Should().Be(18);
        loaded.IrVersion.Should().Be(8);
        loaded.InputNames.Should().Equal("x");
        loaded.InitializerNames.Should().Equal("w");
        loaded.NodeCount.Should().Be(1);
    }

    [Fact]
    public void Save_replaces_file_without_leftovers()
    {
        var path = folder.File("model.onnx");
        File.WriteAllText(path, "old contents");

        SmallModel().ToModel().Save(path);

        OnnxModel.Load(path).NodeCount.Should().Be(1);
        Directory.GetFiles(folder.Path).Should().Equal(path);
    }

    [Fact]
    public void Load_accepts_typed_fields()
    {
        var g = new GraphBuilder();
        var tensor = new TensorProto { Name = "w", DataType = DataTypes.Float };
        tensor.Dims.Add(2);
        tensor.FloatData.Add([1.5f, -2f]);
        g.Graph.Initializer.Add(tensor);
        g.Output("w", [2]);

        var model = OnnxModel.Load(g.Model.ToByteArray());

        Tensors.ToDoubles(model.Proto.Graph.Initializer[0]).Should().Equal(1.5, -2.0);
    }

    [Fact]
    public void Load_inlines_local_function()
    {
        var g = new GraphBuilder();
        var w = g.Initializer("w", [3], [0.5, -1.0, 2.0]);
        var function = new FunctionProto { Name = "ScaledTanh", Domain = "custom", Input = { "X" }, Output = { "Y" }, Attribute = { "scale" } };
        function.OpsetImport.Add(new OperatorSetIdProto { Version = 17 });
        function.Node.Add(new NodeProto { OpType = "Tanh", Name = "t", Input = { "X" }, Output = { "T" } });
        function.Node.Add(new NodeProto { OpType = "Constant", Name = "c", Output = { "S" }, Attribute = { new AttributeProto { Name = "value_float", RefAttrName = "scale", Type = AttributeProto.Types.AttributeType.Float } } });
        function.Node.Add(new NodeProto { OpType = "Mul", Name = "m", Input = { "T", "S" }, Output = { "Y" } });
        g.Model.Functions.Add(function);
        g.Model.OpsetImport.Add(new OperatorSetIdProto { Domain = "custom", Version = 1 });
        g.Graph.Node.Add(new NodeProto { OpType = "ScaledTanh", Domain = "custom", Name = "call", Input = { w }, Output = { "y" }, Attribute = { Attributes.Float("scale", 3f) } });
        g.Output("y", [3]);

        var model = OnnxModel.Load(g.Model.ToByteArray());

        model.Proto.Functions.Should().BeEmpty();
        model.Proto.Graph.Node.Select(n => n.OpType).Should().Equal("Tanh", "Constant", "Mul");
        model.Proto.Graph.Node[1].Attribute[0].Name.Should().Be("value_float");
        model.Proto.Graph.Node[1].Attribute[0].F.Should().Be(3f);
        model.Proto.Graph.Node[2].Output.Should().Equal("y");
        model.Proto.Graph.Node[0].Input.Should().Equal("w");
    }

    [Fact]
    public void Load_rejects_function_opset_conflict()
    {
        var g = new GraphBuilder(17);
        var function = new FunctionProto { Name = "F", Domain = "custom", Input = { "X" }, Output = { "Y" } };
        function.OpsetImport.Add(new OperatorSetIdProto { Version = 13 });
        function.Node.Add(new NodeProto { OpType = "Identity", Input = { "X" }, Output = { "Y" } });
        g.Model.Functions.Add(function);
        g.Initializer("w", [1], [1.0]);
        g.Graph.Node.Add(new NodeProto { OpType = "F", Domain = "custom", Name = "call", Input = { "w" }, Output = { "y" } });

        var act = () => OnnxModel.Load(g.Model.ToByteArray());

        act.Should().Throw<OnnxModelException>().WithMessage("*different opset*version 17*version 13*");
    }

    [Fact]
    public void Load_rejects_recursive_function()
    {
        var g = new GraphBuilder();
        var function = new FunctionProto { Name = "Loop", Domain = "custom", Input = { "X" }, Output = { "Y" } };
        function.Node.Add(new NodeProto { OpType = "Loop", Domain = "custom", Name = "self", Input = { "X" }, Output = { "Y" } });
        g.Model.Functions.Add(function);
        g.Initializer("w", [1], [1.0]);
        g.Graph.Node.Add(new NodeProto { OpType = "Loop", Domain = "custom", Name = "call", Input = { "w" }, Output = { "y" } });

        var act = () => OnnxModel.Load(g.Model.ToByteArray());

        act.Should().Throw<OnnxModelException>().WithMessage("*nested too deeply or recursive*");
    }

    [Fact]
    public void Inlined_function_is_differentiable()
    {
        var g = new GraphBuilder();
        var w = g.Initializer("w", [3], [0.5, -1.0, 2.0]);
        var function = new FunctionProto { Name = "Square", Domain = "custom", Input = { "X" }, Output = { "Y" } };
        function.Node.Add(new NodeProto { OpType = "Mul", Name = "m", Input = { "X", "X" }, Output = { "Y" } });
        g.Model.Functions.Add(function);
        g.Graph.Node.Add(new NodeProto { OpType = "Square", Domain = "custom", Name = "call", Input = { w }, Output = { "y" } });
        var loss = g.Node("ReduceSum", ["y"], Attributes.Int("keepdims", 0));
        g.Output(loss, []);
        var model = OnnxModel.Load(g.Model.ToByteArray());

        var training = GradDiag.OrtBackend.Gradients.GradientGraphBuilder.Build(model, loss);

        training.OutputNames.Should().Equal(loss, "w_grad");
        using var session = new InferenceSession(training.ToByteArray());
        using var input = OrtValue.CreateTensorValueFromMemory(new[] { 0.5, -1.0, 2.0 }, [3]);
        using var runOptions = new RunOptions();
        using var outputs = session.Run(runOptions, ["w"], [input], ["w_grad"]);
        outputs[0].GetTensorDataAsSpan<double>().ToArray().Should().Equal(1.0, -2.0, 4.0);
    }
}
