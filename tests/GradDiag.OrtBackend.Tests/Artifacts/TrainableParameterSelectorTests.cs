using GradDiag.OrtBackend.Graphs;
using GradDiag.OrtBackend.Artifacts;
using GradDiag.OrtBackend.Models;
using GradDiag.OrtBackend.Tests.Support;

namespace GradDiag.OrtBackend.Tests.Artifacts;

public class TrainableParameterSelectorTests
{
    [Fact]
    public void Selector_freezes_running_statistics()
    {
        var model = OnnxModel.Load(FixturePaths.Onnx("cnn.onnx"));

        var selection = TrainableParameterSelector.Select(model.Proto, [], ParameterPatternSyntax.Glob);

        selection.Trainable.Select(p => p.Name).Should().Equal(
            "conv.weight", "conv.bias", "bn.weight", "bn.bias", "grouped.weight", "grouped.bias", "strided.weight",
            "strided.bias", "dilated.weight", "dilated.bias", "head.weight", "head.bias");
        selection.Frozen.Select(f => f.Parameter.Name).Should().Equal("bn.running_mean", "bn.running_var");
        selection.Frozen.Select(f => f.Reason).Should().AllBeEquivalentTo(FrozenReason.RunningStatistic);
    }

    [Fact]
    public void Selector_orders_by_first_use()
    {
        var g = new GraphBuilder(opset: 17, elementType: DataTypes.Float);
        var x = g.Input("x", [2]);
        g.Initializer("late", [2], [1, 2]);
        g.Initializer("early", [2], [3, 4]);
        g.Initializer("unused", [1], [5]);
        var first = g.Node("Mul", [x, "early"]);
        var second = g.Node("Add", [first, "late"]);
        g.Output(second, [2]);

        var selection = TrainableParameterSelector.Select(g.Model, [], ParameterPatternSyntax.Glob);

        selection.Trainable.Select(p => p.Name).Should().Equal("early", "late");
        selection.Frozen.Should().ContainSingle().Which.Reason.Should().Be(FrozenReason.Unused);
    }

    [Fact]
    public void Selector_freezes_inputs_without_gradient()
    {
        var g = new GraphBuilder(opset: 17, elementType: DataTypes.Float);
        var x = g.Input("x", [2]);
        g.Initializer("w", [2], [1, 2]);
        g.Initializer("ratio", [], [0.3]);
        g.Initializer("low", [], [-1]);
        g.Initializer("shared", [], [0.2]);
        g.Graph.Initializer.Add(Tensors.FromBools("training", [], [true]));
        var product = g.Node("Mul", [x, "w"]);
        var dropped = g.Node("Dropout", [product, "ratio", "training"]);
        var clipped = g.Node("Clip", [dropped, "low"]);
        var scaled = g.Node("Mul", [clipped, "shared"]);
        var droppedAgain = g.Node("Dropout", [scaled, "shared", "training"]);
        g.Output(droppedAgain, [2]);

        var selection = TrainableParameterSelector.Select(g.Model, [], ParameterPatternSyntax.Glob);

        selection.Trainable.Select(p => p.Name).Should().Equal(["w", "low", "shared"], "Clip's bounds have gradients, and Mul reads 'shared' too");
        selection.Frozen.Select(f => (f.Parameter.Name, f.Reason)).Should().Equal(("ratio", FrozenReason.NotDifferentiable));
    }

    [Fact]
    public void Selector_sorts_unsorted_graph()
    {
        var g = new GraphBuilder(opset: 17, elementType: DataTypes.Float);
        var x = g.Input("x", [2]);
        g.Initializer("a", [2], [1, 2]);
        g.Initializer("b", [2], [3, 4]);
        var first = g.Node("Mul", [x, "a"]);
        var second = g.Node("Add", [first, "b"]);
        g.Output(second, [2]);
        var nodes = g.Graph.Node.ToList();
        g.Graph.Node.Clear();
        g.Graph.Node.Add(nodes[1]);
        g.Graph.Node.Add(nodes[0]);

        var selection = TrainableParameterSelector.Select(g.Model, [], ParameterPatternSyntax.Glob);

        selection.Trainable.Select(p => p.Name).Should().Equal("a", "b");
    }

    [Theory]
    [InlineData(ParameterPatternSyntax.Glob, "fc1.*", "fc2.*")]
    [InlineData(ParameterPatternSyntax.Regex, @"fc[12]\..*")]
    public void Selector_freezes_by_pattern(ParameterPatternSyntax syntax, params string[] patterns)
    {
        var model = OnnxModel.Load(FixturePaths.Onnx("mlp.onnx"));

        var selection = TrainableParameterSelector.Select(model.Proto, patterns, syntax);

        selection.Trainable.Select(p => p.Name).Should().Equal("fc3.weight", "fc3.bias");
        selection.Frozen.Select(f => f.Parameter.Name).Should().Equal("fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias");
        selection.Frozen.Select(f => f.Reason).Should().AllBeEquivalentTo(FrozenReason.NamePattern);
    }

    [Fact]
    public void Selector_glob_question_mark_matches_one()
    {
        var model = OnnxModel.Load(FixturePaths.Onnx("mlp.onnx"));

        var selection = TrainableParameterSelector.Select(model.Proto, ["fc?.weight"], ParameterPatternSyntax.Glob);

        selection.Trainable.Select(p => p.Name).Should().Equal("fc1.bias", "fc2.bias", "fc3.bias");
        selection.Frozen.Select(f => f.Parameter.Name).Should().Equal("fc1.weight", "fc2.weight", "fc3.weight");
    }

    [Fact]
    public void Selector_glob_matches_whole_name()
    {
        var model = OnnxModel.Load(FixturePaths.Onnx("mlp.onnx"));

        var selection = TrainableParameterSelector.Select(model.Proto, ["bias"], ParameterPatternSyntax.Glob);

        selection.Frozen.Should().BeEmpty();
    }

    [Fact]
    public void Selector_rejects_invalid_regex()
    {
        var model = OnnxModel.Load(FixturePaths.Onnx("mlp.onnx"));

        var act = () => TrainableParameterSelector.Select(model.Proto, ["fc[1"], ParameterPatternSyntax.Regex);

        act.Should().Throw<ArgumentException>().WithMessage("*'fc[1' is not a valid regular expression*");
    }
}
