using Google.Protobuf;
using GradDiag.OrtBackend.Gradients;
using GradDiag.OrtBackend.Graphs;
using GradDiag.OrtBackend.Models;
using GradDiag.OrtBackend.Tests.Support;

namespace GradDiag.OrtBackend.Tests.Gradients;

public class GradientGraphBuilderTests
{
    private static GraphBuilder LinearModel(int opset = 17)
    {
        var g = new GraphBuilder(opset);
        var x = g.Input("x", [null, 3]);
        var w = g.Initializer("w", [3, 2], TestData.Uniform(6, 71));
        var b = g.Initializer("b", [2], TestData.Uniform(2, 72));
        var y = g.Node("Add", [g.Node("MatMul", [x, w]), b]);
        g.Output(y, [null, 2]);
        var loss = g.Node("ReduceMean", [g.Node("Mul", [y, y])], Attributes.Int("keepdims", 0));
        g.Output(loss, []);
        return g;
    }

    [Fact]
    public void Build_outputs_loss_then_gradients()
    {
        var g = LinearModel();
        var loss = g.Graph.Output[1].Name;

        var training = GradientGraphBuilder.Build(g.ToModel(), loss);

        training.OutputNames.Should().Equal(loss, g.Graph.Output[0].Name, "w_grad", "b_grad");
        training.InputNames.Should().Equal("x", "w", "b");
        training.InitializerNames.Should().NotContain(["w", "b"]);
    }

    [Fact]
    public void Build_keeps_parameters_as_initializers()
    {
        var g = LinearModel();

        var training = GradientGraphBuilder.Build(g.ToModel(), g.Graph.Output[1].Name, new GradientBuilderOptions { ParametersAsInputs = false });

        training.InputNames.Should().Equal("x");
        training.InitializerNames.Should().Contain(["w", "b"]);
    }

    [Fact]
    public void Build_is_deterministic()
    {
        var g = LinearModel();
        var loss = g.Graph.Output[1].Name;

        var first = GradientGraphBuilder.Build(g.ToModel(), loss).ToByteArray();
        var second = GradientGraphBuilder.Build(g.ToModel(), loss).ToByteArray();

        first.Should().Equal(second);
    }

    [Fact]
    public void Build_leaves_source_unchanged()
    {
        var g = LinearModel();
        var model = g.ToModel();
        var before = model.ToByteArray();

        GradientGraphBuilder.Build(model, g.Graph.Output[1].Name);

        model.ToByteArray().Should().Equal(before);
    }

    [Fact]
    public void Build_frozen_parameter_gets_no_output()
    {
        var g = LinearModel();

        var training = GradientGraphBuilder.Build(g.ToModel(), g.Graph.Output[1].Name, new GradientBuilderOptions { FrozenParameters = ["b"] });

        training.OutputNames.Should().Contain("w_grad");
        training.OutputNames.Should().NotContain("b_grad");
        training.InitializerNames.Should().Contain("b");
    }

    [Fact]
    public void Build_linear_model_matches_finite_differences()
    {
        var g = LinearModel();
        var feeds = new Dictionary<string, Feed> { ["x"] = new(TestData.Uniform(12, 73), [4, 3], DataTypes.Double) };

        var result = GradientChecker.Check(g, g.Graph.Output[1].Name, feeds, ["w", "b"]);

        GradientChecker.AssertClose(result, DataTypes.Double);
    }

    [Fact]
    public void Build_fan_out_sums_gradients()
    {
        var g = new GraphBuilder();
        var w = g.Initializer("w", [2], [0.5, -1.5]);
        var y = g.Node("Add", [g.Node("Mul", [w, g.Initializer("k", [2], [3.0, 4.0])]), g.Node("Exp", [w])]);
        var loss = g.Node("ReduceSum", [g.Node("Add", [y, w])], Attributes.Int("keepdims", 0));
        g.Output(loss, []);

        var result = GradientChecker.Check(g, loss, new Dictionary<string, Feed>(), ["w"]);

        result.Analytic["w"][0].Should().BeApproximately(3.0 + Math.Exp(0.5) + 1.0, 1e-12);
        result.Analytic["w"][1].Should().BeApproximately(4.0 + Math.Exp(-1.5) + 1.0, 1e-12);
    }

    [Fact]
    public void Build_unreached_parameter_gets_zeros()
    {
        var g = new GraphBuilder();
        var w = g.Initializer("w", [2], [0.5, -1.5]);
        g.Initializer("unused", [3], [1.0, 2.0, 3.0]);
        var loss = g.Node("ReduceSum", [w], Attributes.Int("keepdims", 0));
        g.Output(loss, []);

        var result = GradientChecker.Check(g, loss, new Dictionary<string, Feed>(), ["w", "unused"]);

        result.Analytic["unused"].Should().Equal(0.0, 0.0, 0.0);
        result.Analytic["w"].Should().Equal(1.0, 1.0);
    }

    [Fact]
    public void Build_unsupported_operator_names_node()
    {
        var g = new GraphBuilder();
        var w = g.Initializer("w", [2], [0.5, -1.5]);
        var y = g.Node("Sin", [w]);
        var loss = g.Node("ReduceSum", [y], Attributes.Int("keepdims", 0));
        g.Output(loss, []);

        var act = () => GradientGraphBuilder.Build(g.ToModel(), loss);

        var error = act.Should().Throw<GradientBuildException>().Which;
        error.OpType.Should().Be("Sin");
        error.NodeName.Should().Be("sin0");
        error.NodeIndex.Should().Be(0);
        error.Message.Should().Contain("'Sin'").And.Contain("node 0 'sin0'").And.Contain("Supported operators: ").And.Contain("MatMul");
    }

    [Fact]
    public void Build_ignores_unsupported_operator_off_path()
    {
        var g = new GraphBuilder();
        var x = g.Input("x", [2]);
        var w = g.Initializer("w", [2], [0.5, -1.5]);
        var y = g.Node("Mul", [g.Node("Sin", [x]), w]);
        var loss = g.Node("ReduceSum", [y], Attributes.Int("keepdims", 0));
        g.Output(loss, []);
        var feeds = new Dictionary<string, Feed> { ["x"] = new([0.3, 1.2], [2], DataTypes.Double) };

        var result = GradientChecker.Check(g, loss, feeds, ["w"]);

        result.Analytic["w"][0].Should().BeApproximately(Math.Sin(0.3), 1e-12);
        result.Analytic["w"][1].Should().BeApproximately(Math.Sin(1.2), 1e-12);
    }

    [Fact]
    public void Build_rejects_old_opset()
    {
        var g = LinearModel(opset: 12);

        var act = () => GradientGraphBuilder.Build(g.ToModel(), g.Graph.Output[1].Name);

        act.Should().Throw<GradientBuildException>().WithMessage("*opset 12*opset 13 or later*");
    }

    [Fact]
    public void Build_rejects_non_scalar_loss()
    {
        var g = LinearModel();

        var act = () => GradientGraphBuilder.Build(g.ToModel(), g.Graph.Output[0].Name);

        act.Should().Throw<GradientBuildException>().WithMessage("*must be a scalar*");
    }

    [Fact]
    public void Build_rejects_unknown_loss()
    {
        var g = LinearModel();

        var act = () => GradientGraphBuilder.Build(g.ToModel(), "missing");

        act.Should().Throw<GradientBuildException>().WithMessage("*'missing' is not a value of the model*");
    }

    [Fact]
    public void Build_rejects_unknown_parameter()
    {
        var g = LinearModel();
        var options = new GradientBuilderOptions { TrainableParameters = ["w", "nope"] };

        var act = () => GradientGraphBuilder.Build(g.ToModel(), g.Graph.Output[1].Name, options);

        act.Should().Throw<GradientBuildException>().WithMessage("*'nope' is neither an initializer nor a graph input*");
    }

    [Fact]
    public void Build_rejects_loss_without_parameters()
    {
        var g = new GraphBuilder();
        var x = g.Input("x", [2]);
        g.Initializer("w", [2], [1.0, 2.0]);
        var loss = g.Node("ReduceSum", [x], Attributes.Int("keepdims", 0));
        g.Output(loss, []);

        var act = () => GradientGraphBuilder.Build(g.ToModel(), loss);

        act.Should().Throw<GradientBuildException>().WithMessage("*does not depend on any trainable parameter*");
    }

    [Fact]
    public void Build_rejects_taken_gradient_name()
    {
        var g = LinearModel();
        g.Initializer("w_grad", [1], [0.0]);

        var act = () => GradientGraphBuilder.Build(g.ToModel(), g.Graph.Output[1].Name, new GradientBuilderOptions { TrainableParameters = ["w"] });

        act.Should().Throw<GradientBuildException>().WithMessage("*'w_grad' is already used*GradientSuffix*");
    }

    [Fact]
    public void FindUnsupportedOperators_lists_nodes()
    {
        var g = new GraphBuilder();
        var x = g.Input("x", [2]);
        var sin = g.Node("Sin", [x]);
        var relu = g.Node("Relu", [sin]);
        var node = new Onnx.NodeProto { OpType = "FusedMatMul", Domain = "com.microsoft", Name = "fused" };
        node.Input.Add(relu);
        node.Output.Add("fused_out");
        g.Graph.Node.Add(node);

        var unsupported = GradientGraphBuilder.FindUnsupportedOperators(g.ToModel());

        unsupported.Should().Equal("Sin (node 'sin0', index 0)", "com.microsoft.FusedMatMul (node 'fused', index 2)");
    }

    [Fact]
    public void SupportedOperators_cover_required_set()
    {
        string[] required =
        [
            "Add", "Sub", "Mul", "Div", "Neg", "Abs", "Pow", "Sqrt", "Reciprocal", "Exp", "Log", "Erf", "MatMul", "Gemm",
            "Relu", "LeakyRelu", "Elu", "Sigmoid", "Tanh", "Softplus", "Gelu", "Clip", "Where", "Identity", "Cast",
            "Reshape", "Flatten", "Transpose", "Squeeze", "Unsqueeze", "Expand", "Concat", "Split", "Slice",
            "ReduceMean", "ReduceSum", "Constant", "Shape", "Size", "ConstantOfShape", "Range", "Equal", "NonZero",
        ];

        GradientGraphBuilder.SupportedOperators.Should().Contain(required);
    }

    [Fact]
    public void Build_raises_ir_version_for_opset()
    {
        var g = LinearModel(opset: 21);
        g.Model.IrVersion = 7;

        var training = GradientGraphBuilder.Build(g.ToModel(), g.Graph.Output[1].Name);

        training.IrVersion.Should().Be(10);
        training.Opset.Should().Be(21);
    }

    [Fact]
    public void Build_training_model_round_trips_bytes()
    {
        var g = LinearModel();
        var training = GradientGraphBuilder.Build(g.ToModel(), g.Graph.Output[1].Name);

        var reloaded = OnnxModel.Load(training.ToByteArray());

        reloaded.Proto.ToByteArray().Should().Equal(training.ToByteArray());
    }
}
