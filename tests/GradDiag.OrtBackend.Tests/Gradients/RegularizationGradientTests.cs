using Google.Protobuf;
using GradDiag.OrtBackend.Gradients;
using GradDiag.OrtBackend.Graphs;
using GradDiag.OrtBackend.Models;
using GradDiag.OrtBackend.Onnx;
using GradDiag.OrtBackend.Tests.Support;
using Microsoft.ML.OnnxRuntime;

namespace GradDiag.OrtBackend.Tests.Gradients;

public class RegularizationGradientTests
{
    private const double Ratio = 0.3;

    /// <summary>Builds Dropout(x, ratio, training_mode) → ΣR·Y and returns the training model, R and x.</summary>
    private static (OnnxModel Training, double[] Weights, double[] X) DropoutModel(string? trainingMode, bool withMask)
    {
        var g = new GraphBuilder(13);
        var xValues = TestData.Uniform(60, 21, 0.5, 1.5);
        var x = g.Initializer("x", [6, 10], xValues);
        var ratio = g.Initializer("ratio", [], [Ratio]);
        string[] inputs = trainingMode is null ? [x, ratio] : [x, ratio, trainingMode];
        var outputs = g.NodeMulti("Dropout", inputs, withMask ? 2 : 1, Attributes.Int("seed", 5));
        var loss = g.WeightedSumLoss(outputs[0], [6, 10]);
        var weights = Tensors.ToDoubles(g.Graph.Initializer.Single(t => t.Name.StartsWith("loss_weights", StringComparison.Ordinal)))!;
        var training = GradientGraphBuilder.Build(g.ToModel(), loss, new GradientBuilderOptions { TrainableParameters = ["x"] });
        return (training, weights, xValues);
    }

    /// <summary>Runs the training model with x fed, and returns the named outputs (masks as 0 and 1).</summary>
    private static Dictionary<string, double[]> Run(OnnxModel training, double[] x, string[] outputs, Dictionary<string, OrtValue>? extraFeeds = null)
    {
        var proto = training.Proto.Clone();
        var dropout = proto.Graph.Node.Single(n => n.OpType == "Dropout");
        foreach (var name in outputs.Where(o => proto.Graph.Output.All(v => v.Name != o)))
        {
            var type = dropout.Output.Count > 1 && dropout.Output[1] == name ? DataTypes.Bool : DataTypes.Double;
            proto.Graph.Output.Add(new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = type } } });
        }

        using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL };
        using var session = new InferenceSession(proto.ToByteArray(), options);
        using var runOptions = new RunOptions();
        using var xValue = OrtValue.CreateTensorValueFromMemory(x.ToArray(), [6, 10]);
        var feeds = new Dictionary<string, OrtValue>(extraFeeds ?? []) { ["x"] = xValue };
        using var results = session.Run(runOptions, feeds.Keys.ToArray(), feeds.Values.ToArray(), outputs);
        var map = new Dictionary<string, double[]>();
        for (var i = 0; i < outputs.Length; i++)
        {
            var value = results[i];
            map[outputs[i]] = value.GetTensorTypeAndShape().ElementDataType == Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.Bool
                ? value.GetTensorDataAsSpan<bool>().ToArray().Select(b => b ? 1.0 : 0.0).ToArray()
                : value.GetTensorDataAsSpan<double>().ToArray();
        }

        return map;
    }

    private static string DropoutNodeOutput(OnnxModel training, int index) =>
        training.Proto.Graph.Node.Single(n => n.OpType == "Dropout").Output[index];

    [Fact]
    public void Dropout_training_scales_kept_gradient()
    {
        var (training, weights, x) = DropoutModelWithConstantMode(true);
        var mask = DropoutNodeOutput(training, 1);

        var values = Run(training, x, ["x_grad", mask]);

        values[mask].Should().Contain(0.0).And.Contain(1.0);
        for (var i = 0; i < weights.Length; i++)
        {
            values["x_grad"][i].Should().BeApproximately(weights[i] * values[mask][i] / (1 - Ratio), 1e-15, $"element {i}");
        }
    }

    [Fact]
    public void Dropout_mask_output_added_when_missing()
    {
        var (training, _, xValues) = DropoutModelWithConstantMode(true, withMask: false);
        var node = training.Proto.Graph.Node.Single(n => n.OpType == "Dropout");

        node.Output.Should().HaveCount(2);
        var values = Run(training, xValues, [node.Output[0], node.Output[1]]);
        // ONNX Runtime's Dropout kernel computes 1/(1 − ratio) in float32, hence the 1e-7 relative bound.
        for (var i = 0; i < xValues.Length; i++)
        {
            var expected = xValues[i] * values[node.Output[1]][i] / (1 - Ratio);
            values[node.Output[0]][i].Should().BeApproximately(expected, 1e-7 * Math.Abs(expected), $"element {i}");
        }
    }

    [Fact]
    public void Dropout_without_training_mode_is_identity()
    {
        var (training, weights, x) = DropoutModel(null, withMask: true);

        var values = Run(training, x, ["x_grad"]);

        values["x_grad"].Should().Equal(weights);
    }

    [Fact]
    public void Dropout_training_mode_false_is_identity()
    {
        var (training, weights, x) = DropoutModelWithConstantMode(false);

        var values = Run(training, x, ["x_grad"]);

        values["x_grad"].Should().Equal(weights);
        training.Proto.Graph.Node.Should().NotContain(n => n.OpType == "Where");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Dropout_runtime_training_mode_selects(bool trainingMode)
    {
        var g = new GraphBuilder(13);
        var xValues = TestData.Uniform(60, 21, 0.5, 1.5);
        var x = g.Initializer("x", [6, 10], xValues);
        var ratio = g.Initializer("ratio", [], [Ratio]);
        var mode = g.Input("training", [], DataTypes.Bool);
        var outputs = g.NodeMulti("Dropout", [x, ratio, mode], 2);
        var loss = g.WeightedSumLoss(outputs[0], [6, 10]);
        var weights = Tensors.ToDoubles(g.Graph.Initializer.Single(t => t.Name.StartsWith("loss_weights", StringComparison.Ordinal)))!;
        var training = GradientGraphBuilder.Build(g.ToModel(), loss, new GradientBuilderOptions { TrainableParameters = ["x"] });
        using var feed = OrtValue.CreateTensorValueFromMemory(new[] { trainingMode }, []);

        var values = Run(training, xValues, ["x_grad", outputs[1]], new Dictionary<string, OrtValue> { ["training"] = feed });

        for (var i = 0; i < weights.Length; i++)
        {
            var expected = trainingMode ? weights[i] * values[outputs[1]][i] / (1 - Ratio) : weights[i];
            values["x_grad"][i].Should().BeApproximately(expected, 1e-15, $"element {i}");
        }
    }

    [Fact]
    public void Dropout_runtime_ratio_scales()
    {
        var g = new GraphBuilder(13);
        var xValues = TestData.Uniform(60, 21, 0.5, 1.5);
        var x = g.Initializer("x", [6, 10], xValues);
        var ratio = g.Input("ratio", [], DataTypes.Float);
        g.Graph.Initializer.Add(Tensors.FromBools("training", [], [true]));
        var outputs = g.NodeMulti("Dropout", [x, ratio, "training"], 2);
        var loss = g.WeightedSumLoss(outputs[0], [6, 10]);
        var weights = Tensors.ToDoubles(g.Graph.Initializer.Single(t => t.Name.StartsWith("loss_weights", StringComparison.Ordinal)))!;
        var training = GradientGraphBuilder.Build(g.ToModel(), loss, new GradientBuilderOptions { TrainableParameters = ["x"] });
        using var feed = OrtValue.CreateTensorValueFromMemory(new[] { 0.25f }, []);

        var values = Run(training, xValues, ["x_grad", outputs[1]], new Dictionary<string, OrtValue> { ["ratio"] = feed });

        for (var i = 0; i < weights.Length; i++)
        {
            values["x_grad"][i].Should().BeApproximately(weights[i] * values[outputs[1]][i] / 0.75, 1e-15, $"element {i}");
        }
    }

    private static (OnnxModel Training, double[] Weights, double[] X) DropoutModelWithConstantMode(bool mode, bool withMask = true)
    {
        var g = new GraphBuilder(13);
        var xValues = TestData.Uniform(60, 21, 0.5, 1.5);
        var x = g.Initializer("x", [6, 10], xValues);
        var ratio = g.Initializer("ratio", [], [Ratio]);
        g.Graph.Initializer.Add(Tensors.FromBools("training", [], [mode]));
        var outputs = g.NodeMulti("Dropout", [x, ratio, "training"], withMask ? 2 : 1, Attributes.Int("seed", 5));
        var loss = g.WeightedSumLoss(outputs[0], [6, 10]);
        var weights = Tensors.ToDoubles(g.Graph.Initializer.Single(t => t.Name.StartsWith("loss_weights", StringComparison.Ordinal)))!;
        var training = GradientGraphBuilder.Build(g.ToModel(), loss, new GradientBuilderOptions { TrainableParameters = ["x"] });
        return (training, weights, xValues);
    }

    [Theory]
    [InlineData(new long[] { 0, 1, 2, 0, 2, 1 })]
    [InlineData(new long[] { 1, 0, 0, 0, 0, 3 })]
    public void Pad_constant_pads_input_matches(long[] pads)
    {
        var g = new GraphBuilder(13);
        var x = g.Initializer("x", [2, 3, 4], TestData.Uniform(24, 22));
        var padSpec = g.Int64s("pads", pads);
        var value = g.Initializer("value", [], [0.25]);
        var y = g.Node("Pad", [x, padSpec, value], Attributes.String("mode", "constant"));
        long[] outDims = [2 + pads[0] + pads[3], 3 + pads[1] + pads[4], 4 + pads[2] + pads[5]];
        var loss = g.WeightedSumLoss(y, outDims);

        var result = GradientChecker.Check(g, loss, new Dictionary<string, Feed>(), ["x", "value"]);

        GradientChecker.AssertClose(result, DataTypes.Double);
        result.TrainingModel.Proto.Graph.Node.Should().Contain(n => n.OpType == "Slice");
    }

    [Fact]
    public void Pad_negative_pads_crop()
    {
        var g = new GraphBuilder(13);
        var x = g.Initializer("x", [3, 5], TestData.Uniform(15, 23));
        var y = g.Node("Pad", [x, g.Int64s("pads", 1, -1, -1, 2)]);
        var loss = g.WeightedSumLoss(y, [3, 6]);

        var result = GradientChecker.Check(g, loss, new Dictionary<string, Feed>(), ["x"]);

        GradientChecker.AssertClose(result, DataTypes.Double);
    }

    [Fact]
    public void Pad_runtime_pads_match()
    {
        var g = new GraphBuilder(13);
        var x = g.Initializer("x", [3, 4], TestData.Uniform(12, 24));
        var pads = g.Input("pads", [4], DataTypes.Int64);
        var y = g.Node("Pad", [x, pads]);
        var loss = g.WeightedSumLoss(y, [4, 7]);
        var feeds = new Dictionary<string, Feed> { ["pads"] = new([1, 2, 0, 1], [4], DataTypes.Int64) };

        var result = GradientChecker.Check(g, loss, feeds, ["x"]);

        GradientChecker.AssertClose(result, DataTypes.Double);
    }

    [Fact]
    public void Pad_opset18_axes_input_matches()
    {
        var g = new GraphBuilder(18);
        var x = g.Initializer("x", [2, 3, 4], TestData.Uniform(24, 25));
        var y = g.Node("Pad", [x, g.Int64s("pads", 2, 1, 0, 3), "", g.Int64s("axes", 2, 0)]);
        var loss = g.WeightedSumLoss(y, [6, 3, 6]);

        var result = GradientChecker.Check(g, loss, new Dictionary<string, Feed>(), ["x"]);

        GradientChecker.AssertClose(result, DataTypes.Double);
    }

    [Fact]
    public void Pad_opset10_pads_attribute_matches()
    {
        // Before opset 11 the pads are an attribute.
        var g = new GraphBuilder(10);
        g.Initializer("x", [2, 3], TestData.Uniform(6, 26));
        g.Node("Pad", ["x"], Attributes.Ints("pads", [1, 0, 0, 2]), Attributes.Float("value", 1.5f));

        var result = SingleRuleCheck.Check(g, [3, 5], ["x"]);

        GradientChecker.AssertClose(result, DataTypes.Double);
    }

    [Fact]
    public void Pad_reflect_mode_rejected()
    {
        var g = new GraphBuilder(13);
        var x = g.Initializer("x", [3, 4], TestData.Uniform(12, 27));
        var y = g.Node("Pad", [x, g.Int64s("pads", 0, 1, 0, 1)], Attributes.String("mode", "reflect"));
        var loss = g.WeightedSumLoss(y, [3, 6]);

        var build = () => GradientGraphBuilder.Build(g.ToModel(), loss, new GradientBuilderOptions { TrainableParameters = ["x"] });

        build.Should().Throw<GradientBuildException>().WithMessage("*mode 'reflect'*");
    }
}
