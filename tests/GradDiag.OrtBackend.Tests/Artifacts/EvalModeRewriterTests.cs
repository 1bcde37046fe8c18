using GradDiag.OrtBackend.Artifacts;
using GradDiag.OrtBackend.Graphs;
using GradDiag.OrtBackend.Models;
using GradDiag.OrtBackend.Tests.Support;

namespace GradDiag.OrtBackend.Tests.Artifacts;

public class EvalModeRewriterTests
{
    [Fact]
    public void EvalMode_batch_norm_uses_running_statistics()
    {
        var g = new GraphBuilder(opset: 15, elementType: DataTypes.Float);
        var x = g.Input("x", [2, 2]);
        g.Initializer("scale", [2], [2, 1]);
        g.Initializer("bias", [2], [0.5, 0]);
        g.Initializer("mean", [2], [1, -1]);
        g.Initializer("var", [2], [4, 0.25]);
        var outputs = g.NodeMulti("BatchNormalization", [x, "scale", "bias", "mean", "var"], 3, Attributes.Int("training_mode", 1), Attributes.Float("epsilon", 0));
        g.Output(outputs[0], [2, 2]);

        EvalModeRewriter.Apply(g.Graph);
        var result = OrtRunner.Run(g.ToModel(), new Dictionary<string, (float[], long[])> { ["x"] = ([3f, 0f, -1f, -2f], [2, 2]) })[outputs[0]];

        g.Graph.Node[0].Output.Should().ContainSingle();
        g.Graph.Node[0].Attribute.Select(a => a.Name).Should().NotContain("training_mode");
        result.Should().Equal(2.5f, 2f, -1.5f, -2f);
    }

    [Fact]
    public void EvalMode_dropout_passes_values_through()
    {
        var g = new GraphBuilder(opset: 15, elementType: DataTypes.Float);
        var x = g.Input("x", [4]);
        g.Initializer("ratio", [], [0.5]);
        g.Graph.Initializer.Add(Tensors.FromBools("training", [], [true]));
        var y = g.Node("Dropout", [x, "ratio", "training"]);
        g.Output(y, [4]);

        EvalModeRewriter.Apply(g.Graph);
        var result = OrtRunner.Run(g.ToModel(), new Dictionary<string, (float[], long[])> { ["x"] = ([1f, 2f, 3f, 4f], [4]) })[y];

        g.Graph.Node[0].Input.Should().Equal(x, "ratio");
        result.Should().Equal(1f, 2f, 3f, 4f);
    }

    [Fact]
    public void EvalMode_rejects_read_running_mean()
    {
        var g = new GraphBuilder(opset: 15, elementType: DataTypes.Float);
        var x = g.Input("x", [2, 2]);
        g.Initializer("scale", [2], [1, 1]);
        g.Initializer("bias", [2], [0, 0]);
        g.Initializer("mean", [2], [0, 0]);
        g.Initializer("var", [2], [1, 1]);
        var outputs = g.NodeMulti("BatchNormalization", [x, "scale", "bias", "mean", "var"], 3, Attributes.Int("training_mode", 1));
        g.Output(outputs[0], [2, 2]);
        g.Output(outputs[1], [2]);

        var act = () => EvalModeRewriter.Apply(g.Graph);

        act.Should().Throw<ArtifactException>().WithMessage($"*BatchNormalization*'{outputs[1]}'*graph output*");
    }
}
