using GradDiag.OrtBackend.Gradients;
using GradDiag.OrtBackend.Losses;
using GradDiag.OrtBackend.Models;
using GradDiag.OrtBackend.Tests.Support;
using Microsoft.ML.OnnxRuntime;

namespace GradDiag.OrtBackend.Tests.Losses;

public class LossBuilderTests
{
    /// <summary>A model whose output "pred" is the trainable initializer "w" of the given shape.</summary>
    private static OnnxModel PredictionModel(long[] dims, double[] values, int opset = 17, long?[]? outputDims = null)
    {
        var g = new GraphBuilder(opset);
        var w = g.Initializer("w", dims, values);
        var pred = g.Node("Identity", [w]);
        g.Graph.Node[^1].Output[0] = "pred";
        g.Output("pred", outputDims ?? dims.Select(d => (long?)d).ToArray());
        _ = pred;
        return g.ToModel();
    }

    private static double RunLoss(OnnxModel model, Dictionary<string, Feed> feeds)
    {
        using var session = new InferenceSession(model.ToByteArray());
        var names = feeds.Keys.ToArray();
        var values = feeds.Values.Select(f => f.ElementType == DataTypes.Int64
            ? OrtValue.CreateTensorValueFromMemory(f.Values.Select(v => (long)v).ToArray(), f.Dims)
            : OrtValue.CreateTensorValueFromMemory(f.Values.ToArray(), f.Dims)).ToArray();
        try
        {
            using var runOptions = new RunOptions();
            using var outputs = session.Run(runOptions, names, values, ["loss"]);
            return outputs[0].GetTensorDataAsSpan<double>()[0];
        }
        finally
        {
            foreach (var value in values)
            {
                value.Dispose();
            }
        }
    }

    [Theory]
    [InlineData(LossReduction.Mean)]
    [InlineData(LossReduction.Sum)]
    public void MeanSquaredError_value_and_gradient(LossReduction reduction)
    {
        var prediction = TestData.Uniform(6, 91);
        var target = TestData.Uniform(6, 92);
        var model = LossBuilder.Append(PredictionModel([2, 3], prediction), "pred", new LossOptions { Reduction = reduction });
        var feeds = new Dictionary<string, Feed> { ["target"] = new(target, [2, 3], DataTypes.Double) };
        var sum = prediction.Zip(target, (p, t) => (p - t) * (p - t)).Sum();

        var result = GradientChecker.Check(model, DataTypes.Double, "loss", feeds, ["w"]);

        result.Loss.Should().BeApproximately(reduction == LossReduction.Mean ? sum / 6 : sum, 1e-12);
        GradientChecker.AssertClose(result, DataTypes.Double);
        model.OutputNames[0].Should().Be("loss");
        model.InputNames.Should().Contain("target");
    }

    [Fact]
    public void BinaryCrossEntropy_value_and_gradient()
    {
        double[] logits = [-30.0, -1.2, -0.3, 0.4, 2.5, 40.0];
        double[] target = [0.0, 1.0, 0.25, 1.0, 0.0, 0.5];
        var model = LossBuilder.Append(PredictionModel([2, 3], logits), "pred", new LossOptions { Kind = LossKind.BinaryCrossEntropyWithLogits });
        var feeds = new Dictionary<string, Feed> { ["target"] = new(target, [2, 3], DataTypes.Double) };
        var expected = logits.Zip(target, (x, t) => Math.Max(x, 0) - (x * t) + Math.Log(1 + Math.Exp(-Math.Abs(x)))).Average();

        var result = GradientChecker.Check(model, DataTypes.Double, "loss", feeds, ["w"]);

        result.Loss.Should().BeApproximately(expected, 1e-12);
        GradientChecker.AssertClose(result, DataTypes.Double);
    }

    [Fact]
    public void BinaryCrossEntropy_zero_logit_gradient()
    {
        var model = LossBuilder.Append(PredictionModel([2], [0.0, 0.0]), "pred", new LossOptions { Kind = LossKind.BinaryCrossEntropyWithLogits, Reduction = LossReduction.Sum });
        var feeds = new Dictionary<string, Feed> { ["target"] = new([1.0, 0.0], [2], DataTypes.Double) };

        var result = GradientChecker.Check(model, DataTypes.Double, "loss", feeds, ["w"]);

        result.Analytic["w"].Should().Equal(-0.5, 0.5);
    }

    private static double[] LogSoftmaxRow(double[] scores, int offset, int count, int stride)
    {
        var row = Enumerable.Range(0, count).Select(c => scores[offset + (c * stride)]).ToArray();
        var max = row.Max();
        var logSum = Math.Log(row.Sum(v => Math.Exp(v - max))) + max;
        return row.Select(v => v - logSum).ToArray();
    }

    [Fact]
    public void CrossEntropy_mean_value_and_gradient()
    {
        var scores = TestData.Uniform(12, 93, -3, 3);
        double[] labels = [2, 0, 3];
        var model = LossBuilder.Append(PredictionModel([3, 4], scores), "pred", new LossOptions { Kind = LossKind.CrossEntropy });
        var feeds = new Dictionary<string, Feed> { ["labels"] = new(labels, [3], DataTypes.Int64) };
        var expected = -Enumerable.Range(0, 3).Average(n => LogSoftmaxRow(scores, n * 4, 4, 1)[(int)labels[n]]);

        var result = GradientChecker.Check(model, DataTypes.Double, "loss", feeds, ["w"]);

        result.Loss.Should().BeApproximately(expected, 1e-12);
        GradientChecker.AssertClose(result, DataTypes.Double);
    }

    [Fact]
    public void CrossEntropy_weights_and_ignore_index()
    {
        var scores = TestData.Uniform(16, 94, -3, 3);
        double[] labels = [1, -100, 3, 1];
        float[] weights = [0.5f, 2f, 1f, 0.25f];
        var options = new LossOptions { Kind = LossKind.CrossEntropy, IgnoreIndex = -100, ClassWeights = weights };
        var model = LossBuilder.Append(PredictionModel([4, 4], scores), "pred", options);
        var feeds = new Dictionary<string, Feed> { ["labels"] = new(labels, [4], DataTypes.Int64) };
        double numerator = 0, denominator = 0;
        foreach (var n in new[] { 0, 2, 3 })
        {
            var weight = weights[(int)labels[n]];
            numerator -= weight * LogSoftmaxRow(scores, n * 4, 4, 1)[(int)labels[n]];
            denominator += weight;
        }

        var result = GradientChecker.Check(model, DataTypes.Double, "loss", feeds, ["w"]);

        result.Loss.Should().BeApproximately(numerator / denominator, 1e-12);
        GradientChecker.AssertClose(result, DataTypes.Double);
        result.Analytic["w"].Skip(4).Take(4).Should().AllSatisfy(g => g.Should().Be(0.0));
    }

    [Fact]
    public void CrossEntropy_spatial_sum()
    {
        var scores = TestData.Uniform(2 * 3 * 5, 95, -2, 2);
        double[] labels = [0, 2, 1, 1, 0, 2, 2, 2, 0, 1];
        var options = new LossOptions { Kind = LossKind.CrossEntropy, Reduction = LossReduction.Sum };
        var model = LossBuilder.Append(PredictionModel([2, 3, 5], scores), "pred", options);
        var feeds = new Dictionary<string, Feed> { ["labels"] = new(labels, [2, 5], DataTypes.Int64) };
        var expected = 0.0;
        for (var n = 0; n < 2; n++)
        {
            for (var d = 0; d < 5; d++)
            {
                expected -= LogSoftmaxRow(scores, (n * 15) + d, 3, 5)[(int)labels[(n * 5) + d]];
            }
        }

        var result = GradientChecker.Check(model, DataTypes.Double, "loss", feeds, ["w"]);

        result.Loss.Should().BeApproximately(expected, 1e-12);
        GradientChecker.AssertClose(result, DataTypes.Double);
        model.Proto.Graph.Input.Single(i => i.Name == "labels").Type.TensorType.Shape.Dim.Select(d => d.DimValue).Should().Equal(2, 5);
    }

    [Fact]
    public void NegativeLogLikelihood_value_and_gradient()
    {
        var logProbabilities = TestData.Uniform(9, 96, -3, -0.1);
        double[] labels = [1, 1, 0];
        var model = LossBuilder.Append(PredictionModel([3, 3], logProbabilities), "pred", new LossOptions { Kind = LossKind.NegativeLogLikelihood, TargetName = "classes" });
        var feeds = new Dictionary<string, Feed> { ["classes"] = new(labels, [3], DataTypes.Int64) };
        var expected = -(logProbabilities[1] + logProbabilities[4] + logProbabilities[6]) / 3;

        var result = GradientChecker.Check(model, DataTypes.Double, "loss", feeds, ["w"]);

        result.Loss.Should().BeApproximately(expected, 1e-12);
        GradientChecker.AssertClose(result, DataTypes.Double);
    }

    [Fact]
    public void CrossEntropy_runs_with_symbolic_batch()
    {
        var g = new GraphBuilder(18);
        var x = g.Input("x", [null, 2]);
        var w = g.Initializer("w", [2, 3], TestData.Uniform(6, 97));
        var logits = g.Node("MatMul", [x, w]);
        g.Output(logits, [null, 3]);
        var model = LossBuilder.Append(g.ToModel(), logits, new LossOptions { Kind = LossKind.CrossEntropy });
        var feeds = new Dictionary<string, Feed>
        {
            ["x"] = new(TestData.Uniform(10, 98), [5, 2], DataTypes.Double),
            ["labels"] = new([0, 1, 2, 1, 0], [5], DataTypes.Int64),
        };

        var result = GradientChecker.Check(model, DataTypes.Double, "loss", feeds, ["w"]);

        GradientChecker.AssertClose(result, DataTypes.Double);
        RunLoss(model, feeds).Should().BeApproximately(result.Loss, 1e-12);
        model.Proto.Graph.Input.Single(i => i.Name == "labels").Type.TensorType.Shape.Dim[0].DimParam.Should().Be("N");
    }

    [Fact]
    public void Scalar_loss_is_renamed()
    {
        var g = new GraphBuilder();
        var w = g.Initializer("w", [3], [1.0, 2.0, 3.0]);
        var total = g.Node("ReduceSum", [g.Node("Mul", [w, w])], GradDiag.OrtBackend.Graphs.Attributes.Int("keepdims", 0));
        g.Output(total, []);

        var model = LossBuilder.Append(g.ToModel(), total, new LossOptions { Kind = LossKind.Scalar });
        var training = GradientGraphBuilder.Build(model, "loss");

        model.OutputNames.Should().Equal("loss", total);
        training.OutputNames.Should().Equal("loss", total, "w_grad");
        RunLoss(model, []).Should().Be(14.0);
    }

    [Fact]
    public void Scalar_rejects_tensor_prediction()
    {
        var act = () => LossBuilder.Append(PredictionModel([2], [1.0, 2.0]), "pred", new LossOptions { Kind = LossKind.Scalar });

        act.Should().Throw<GradientBuildException>().WithMessage("*needs a value with one element*");
    }

    [Fact]
    public void Append_rejects_taken_loss_name()
    {
        var act = () => LossBuilder.Append(PredictionModel([2], [1.0, 2.0]), "pred", new LossOptions { LossName = "w" });

        act.Should().Throw<GradientBuildException>().WithMessage("*'w' is already used*LossName*");
    }

    [Fact]
    public void Append_rejects_unknown_prediction()
    {
        var act = () => LossBuilder.Append(PredictionModel([2], [1.0, 2.0]), "nothing");

        act.Should().Throw<GradientBuildException>().WithMessage("*'nothing' is not a value*");
    }

    [Fact]
    public void CrossEntropy_rejects_vector_scores()
    {
        var act = () => LossBuilder.Append(PredictionModel([4], [1.0, 2.0, 3.0, 4.0]), "pred", new LossOptions { Kind = LossKind.CrossEntropy });

        act.Should().Throw<GradientBuildException>().WithMessage("*shape (N, C[, D...])*");
    }
}
