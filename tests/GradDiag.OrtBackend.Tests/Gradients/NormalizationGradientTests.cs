using GradDiag.OrtBackend.Gradients;
using GradDiag.OrtBackend.Graphs;
using GradDiag.OrtBackend.Models;
using GradDiag.OrtBackend.Onnx;
using GradDiag.OrtBackend.Tests.Support;
using Microsoft.ML.OnnxRuntime;

namespace GradDiag.OrtBackend.Tests.Gradients;

public class NormalizationGradientTests
{
    private static GraphBuilder BatchNormGraph(int opset, long[] xDims, long trainingMode, out string[] outputs)
    {
        var channels = (int)xDims[1];
        var g = new GraphBuilder(opset);
        var x = g.Initializer("x", xDims, TestData.Uniform(TestData.Count(xDims), 61, -2, 2));
        var scale = g.Initializer("scale", [channels], TestData.Uniform(channels, 62, 0.5, 1.5));
        var bias = g.Initializer("bias", [channels], TestData.Uniform(channels, 63));
        var mean = g.Initializer("mean", [channels], TestData.Uniform(channels, 64, -0.5, 0.5));
        var variance = g.Initializer("var", [channels], TestData.Uniform(channels, 65, 0.5, 1.5));
        outputs = g.NodeMulti(
            "BatchNormalization",
            [x, scale, bias, mean, variance],
            trainingMode != 0 ? 3 : 1,
            Attributes.Float("epsilon", 1e-3f),
            Attributes.Float("momentum", 0.8f),
            Attributes.Int("training_mode", trainingMode));
        return g;
    }

    [Theory]
    [InlineData(14, new long[] { 4, 3, 2, 2 })]
    [InlineData(15, new long[] { 4, 3, 2, 2 })]
    [InlineData(15, new long[] { 6, 3 })]
    [InlineData(15, new long[] { 3, 2, 5 })]
    public void BatchNorm_training_matches(int opset, long[] xDims)
    {
        var g = BatchNormGraph(opset, xDims, 1, out var outputs);
        var loss = g.WeightedSumLoss(outputs[0], xDims);

        var result = GradientChecker.Check(g, loss, new Dictionary<string, Feed>(), ["x", "scale", "bias"]);

        GradientChecker.AssertClose(result, DataTypes.Double);
    }

    [Fact]
    public void BatchNorm_training_running_stats_use_momentum()
    {
        long[] xDims = [4, 3, 2, 2];
        var g = BatchNormGraph(15, xDims, 1, out var outputs);
        var loss = g.WeightedSumLoss(outputs[0], xDims);
        g.Output(outputs[1], [3]);
        g.Output(outputs[2], [3]);
        var training = GradientGraphBuilder.Build(g.ToModel(), loss, new GradientBuilderOptions { TrainableParameters = ["x", "scale", "bias"] });
        var x = TestData.Uniform(48, 61, -2, 2);
        var runningMean = TestData.Uniform(3, 64, -0.5, 0.5);
        var runningVar = TestData.Uniform(3, 65, 0.5, 1.5);

        using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL };
        using var session = new InferenceSession(training.ToByteArray(), options);
        var names = new[] { "x", "scale", "bias" };
        var values = new[] { x, TestData.Uniform(3, 62, 0.5, 1.5), TestData.Uniform(3, 63) };
        var feeds = names.Select((n, i) => OrtValue.CreateTensorValueFromMemory(values[i], i == 0 ? xDims : [3])).ToArray();
        using var runOptions = new RunOptions();
        using var results = session.Run(runOptions, names, feeds, [outputs[1], outputs[2]]);
        foreach (var feed in feeds)
        {
            feed.Dispose();
        }

        for (var c = 0; c < 3; c++)
        {
            var cells = Enumerable.Range(0, 4).SelectMany(n => Enumerable.Range(0, 4).Select(s => x[(n * 12) + (c * 4) + s])).ToArray();
            var batchMean = cells.Average();
            var batchVar = cells.Select(v => (v - batchMean) * (v - batchMean)).Average();
            results[0].GetTensorDataAsSpan<double>()[c].Should().BeApproximately((runningMean[c] * 0.8) + (batchMean * 0.2), 1e-6, $"running mean of channel {c}");
            results[1].GetTensorDataAsSpan<double>()[c].Should().BeApproximately((runningVar[c] * 0.8) + (batchVar * 0.2), 1e-6, $"running variance of channel {c}");
        }
    }

    [Fact]
    public void BatchNorm_opset13_training_outputs_match()
    {
        // Before opset 14 there is no training_mode attribute: the optional statistic outputs select training mode.
        long[] xDims = [4, 3, 2, 2];
        var g = new GraphBuilder(13);
        var x = g.Initializer("x", xDims, TestData.Uniform(48, 61, -2, 2));
        var scale = g.Initializer("scale", [3], TestData.Uniform(3, 62, 0.5, 1.5));
        var bias = g.Initializer("bias", [3], TestData.Uniform(3, 63));
        var mean = g.Initializer("mean", [3], TestData.Uniform(3, 64, -0.5, 0.5));
        var variance = g.Initializer("var", [3], TestData.Uniform(3, 65, 0.5, 1.5));
        var outputs = g.NodeMulti("BatchNormalization", [x, scale, bias, mean, variance], 5, Attributes.Float("epsilon", 1e-3f));
        var loss = g.WeightedSumLoss(outputs[0], xDims);

        var result = GradientChecker.Check(g, loss, new Dictionary<string, Feed>(), ["x", "scale", "bias"]);

        GradientChecker.AssertClose(result, DataTypes.Double);
    }

    [Fact]
    public void BatchNorm_inference_matches()
    {
        long[] xDims = [3, 2, 2, 3];
        var g = BatchNormGraph(15, xDims, 0, out var outputs);
        var loss = g.WeightedSumLoss(outputs[0], xDims);

        var result = GradientChecker.Check(g, loss, new Dictionary<string, Feed>(), ["x", "scale", "bias", "mean", "var"]);

        GradientChecker.AssertClose(result, DataTypes.Double);
    }

    [Fact]
    public void BatchNorm_training_stats_get_no_gradient()
    {
        long[] xDims = [4, 3];
        var g = BatchNormGraph(15, xDims, 1, out var outputs);
        var loss = g.WeightedSumLoss(outputs[0], xDims);

        var result = GradientChecker.Check(g, loss, new Dictionary<string, Feed>(), ["mean", "var"]);

        result.Analytic["mean"].Should().OnlyContain(v => v == 0.0);
        result.Analytic["var"].Should().OnlyContain(v => v == 0.0);
        GradientChecker.AssertClose(result, DataTypes.Double);
    }

    [Theory]
    [InlineData(-1, new long[] { 2, 3, 4 })]
    [InlineData(1, new long[] { 2, 3, 4 })]
    [InlineData(0, new long[] { 3, 4 })]
    [InlineData(2, new long[] { 2, 2, 3, 2 })]
    public void LayerNorm_axis_matches(long axis, long[] xDims)
    {
        var normalized = xDims[(int)(axis < 0 ? axis + xDims.Length : axis)..];
        var count = TestData.Count(normalized);
        var g = new GraphBuilder(17);
        var x = g.Initializer("x", xDims, TestData.Uniform(TestData.Count(xDims), 66, -2, 2));
        var scale = g.Initializer("scale", normalized, TestData.Uniform(count, 67, 0.5, 1.5));
        var bias = g.Initializer("bias", normalized, TestData.Uniform(count, 68));
        var y = g.Node("LayerNormalization", [x, scale, bias], Attributes.Int("axis", axis), Attributes.Float("epsilon", 1e-3f));
        var loss = g.WeightedSumLoss(y, xDims);

        var result = GradientChecker.Check(g, loss, new Dictionary<string, Feed>(), ["x", "scale", "bias"]);

        GradientChecker.AssertClose(result, DataTypes.Double);
    }

    [Fact]
    public void LayerNorm_without_bias_matches()
    {
        var g = new GraphBuilder(17);
        var x = g.Initializer("x", [3, 5], TestData.Uniform(15, 69, -2, 2));
        var scale = g.Initializer("scale", [5], TestData.Uniform(5, 70, 0.5, 1.5));
        var y = g.Node("LayerNormalization", [x, scale]);
        var loss = g.WeightedSumLoss(y, [3, 5]);

        var result = GradientChecker.Check(g, loss, new Dictionary<string, Feed>(), ["x", "scale"]);

        GradientChecker.AssertClose(result, DataTypes.Double);
    }
}
