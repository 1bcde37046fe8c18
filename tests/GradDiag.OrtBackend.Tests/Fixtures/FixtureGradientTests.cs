using System.Globalization;
using Google.Protobuf;
using GradDiag.OrtBackend.Gradients;
using GradDiag.OrtBackend.Graphs;
using GradDiag.OrtBackend.Models;
using GradDiag.OrtBackend.Onnx;
using GradDiag.OrtBackend.Tests.Support;
using Microsoft.ML.OnnxRuntime;
using Xunit.Abstractions;

namespace GradDiag.OrtBackend.Tests.Fixtures;

/// <summary>
/// Builds the training graph of each PyTorch-exported fixture model, runs it in float32 on ONNX Runtime's
/// CPU provider and compares every parameter gradient with PyTorch's float64 gradient.
/// </summary>
/// <remarks>
/// Bound: relative error ‖a − r‖₂/‖r‖₂ ≤ 1e-4 per tensor. The models' reductions are at most a few
/// hundred terms long, and float32 rounding (u ≈ 6e-8) grows like √n·u per sum and over a handful of
/// layers. PyTorch's own float32 pass lies within 3.1e-7 of the largest gradient. So 1e-4 leaves room
/// for a different summation order but not for a wrong rule. Gradients that are zero in exact arithmetic
/// (listed in zero_gradients) are float32 noise; they must stay below 1e-5 of the model's largest gradient.
/// </remarks>
public class FixtureGradientTests
{
    private const double RelativeBound = 1e-4;
    private const double ZeroBound = 1e-5;

    private readonly ITestOutputHelper output;

    public FixtureGradientTests(ITestOutputHelper output)
    {
        this.output = output;
    }

    [Theory]
    [InlineData("mlp")]
    [InlineData("cnn")]
    [InlineData("transformer")]
    [InlineData("embedding")]
    [InlineData("digits_mlp")]
    [InlineData("digits_cnn")]
    public void Fixture_gradients_match_pytorch(string model)
    {
        var reference = FixtureReference.Load(model);
        var run = FixtureRun.Execute(reference, []);

        run.Loss.Should().BeApproximately(reference.LossValue, 1e-5 * Math.Abs(reference.LossValue), "the loss must match PyTorch's");
        var largest = reference.Gradients.Values.SelectMany(t => t.Data).Max(Math.Abs);
        foreach (var (name, expected) in reference.Gradients)
        {
            run.Gradients.Should().ContainKey(name);
            var actual = run.Gradients[name];
            actual.Length.Should().Be(expected.Data.Length, $"gradient of '{name}' must have the parameter's size");
            if (reference.ZeroGradients.Contains(name))
            {
                var worst = actual.Max(Math.Abs);
                output.WriteLine($"{model} {name}: zero in exact arithmetic, max |g| = {worst:E2} ({worst / largest:E2} of the largest gradient)");
                worst.Should().BeLessThanOrEqualTo(ZeroBound * largest, $"'{name}' is zero in exact arithmetic");
                continue;
            }

            var error = RelativeError(actual, expected.Data);
            output.WriteLine($"{model} {name}: relative error {error:E2}");
            error.Should().BeLessThanOrEqualTo(RelativeBound, $"gradient of '{name}'");
        }

        output.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"{model}: forward nodes {run.ForwardNodes}, backward nodes {run.BackwardNodes}, ratio {(double)run.BackwardNodes / run.ForwardNodes:F2}, max relative error {run.MaxRelativeError(reference):E2}"));
    }

    [Fact]
    public void Cnn_running_mean_follows_onnx_momentum()
    {
        // ONNX BatchNormalization: running = running·momentum + batch·(1 − momentum) with momentum 0.9, the
        // same update as PyTorch's momentum 0.1. Only running_mean is comparable: PyTorch updates
        // running_var with the unbiased batch variance, ONNX with the population variance.
        var reference = FixtureReference.Load("cnn");
        var run = FixtureRun.Execute(reference, ["/bn/BatchNormalization_output_1"]);

        var expected = reference.BuffersAfterStep["bn.running_mean"].Data;
        RelativeError(run.Extra["/bn/BatchNormalization_output_1"], expected).Should().BeLessThanOrEqualTo(1e-5);
    }

    [Fact]
    public void Fixture_missing_rule_fails_clearly()
    {
        // A model with an operator that has no rule must be rejected with the operator named, not skipped.
        var model = OnnxModel.Load(Path.Combine(FixtureReference.Directory(), "mlp.onnx")).Proto.Clone();
        var relu = model.Graph.Node.First(n => n.OpType == "Relu");
        relu.OpType = "Hardmax";
        var withLoss = TrainingLoss.AttachMse(model, "output", "target", [6, 3]);

        var build = () => GradientGraphBuilder.Build(new OnnxModel(withLoss), TrainingLoss.LossName);

        build.Should().Throw<GradientBuildException>().WithMessage("*No gradient rule for operator 'Hardmax'*");
    }

    internal static double RelativeError(double[] actual, double[] expected)
    {
        var difference = Math.Sqrt(actual.Zip(expected, (a, r) => (a - r) * (a - r)).Sum());
        var norm = Math.Sqrt(expected.Sum(r => r * r));
        return difference / Math.Max(norm, 1e-30);
    }

    /// <summary>One run of a fixture's training graph.</summary>
    private sealed record FixtureRun(
        double Loss,
        IReadOnlyDictionary<string, double[]> Gradients,
        IReadOnlyDictionary<string, double[]> Extra,
        int ForwardNodes,
        int BackwardNodes)
    {
        public double MaxRelativeError(FixtureReference reference) =>
            reference.Gradients.Where(g => !reference.ZeroGradients.Contains(g.Key)).Max(g => RelativeError(Gradients[g.Key], g.Value.Data));

        public static FixtureRun Execute(FixtureReference reference, string[] extraOutputs)
        {
            var forward = OnnxModel.Load(Path.Combine(Directory(), reference.Model + ".onnx")).Proto;
            var parameterValues = forward.Graph.Initializer
                .Where(t => reference.Trainable.Contains(t.Name))
                .ToDictionary(t => t.Name, t => (Values: Tensors.ToDoubles(t)!.Select(v => (float)v).ToArray(), Dims: t.Dims.ToArray()));

            var withLoss = reference.LossKind switch
            {
                "mse" => TrainingLoss.AttachMse(forward, "output", "target", reference.Labels.Shape),
                "cross_entropy" => TrainingLoss.AttachCrossEntropy(forward, "output", "labels", reference.Labels.Shape[0], ClassCount(forward)),
                _ => throw new InvalidDataException($"{reference.Model}: unknown loss kind '{reference.LossKind}'."),
            };

            var training = GradientGraphBuilder.Build(
                new OnnxModel(withLoss),
                TrainingLoss.LossName,
                new GradientBuilderOptions { TrainableParameters = reference.Trainable.ToArray() }).Proto;
            foreach (var extra in extraOutputs)
            {
                training.Graph.Output.Add(new ValueInfoProto { Name = extra, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = DataTypes.Float } } });
            }

            var names = new List<string>();
            var values = new List<OrtValue>();
            try
            {
                names.Add(reference.InputName);
                values.Add(reference.InputIsInt64
                    ? OrtValue.CreateTensorValueFromMemory(reference.Input.Data.Select(v => (long)v).ToArray(), reference.Input.Shape)
                    : OrtValue.CreateTensorValueFromMemory(reference.Input.Data.Select(v => (float)v).ToArray(), reference.Input.Shape));
                if (reference.LossKind == "mse")
                {
                    names.Add("target");
                    values.Add(OrtValue.CreateTensorValueFromMemory(reference.Labels.Data.Select(v => (float)v).ToArray(), reference.Labels.Shape));
                }
                else
                {
                    names.Add("labels");
                    values.Add(OrtValue.CreateTensorValueFromMemory(reference.Labels.Data.Select(v => (long)v).ToArray(), reference.Labels.Shape));
                }

                foreach (var (name, (data, dims)) in parameterValues)
                {
                    names.Add(name);
                    values.Add(OrtValue.CreateTensorValueFromMemory(data, dims));
                }

                var outputNames = new[] { TrainingLoss.LossName }
                    .Concat(reference.Trainable.Select(p => p + "_grad"))
                    .Concat(extraOutputs)
                    .ToArray();
                using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL, LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR };
                using var session = new InferenceSession(training.ToByteArray(), options);
                using var runOptions = new RunOptions();
                using var results = session.Run(runOptions, names, values, outputNames);
                var read = results.Select(r => r.GetTensorDataAsSpan<float>().ToArray().Select(v => (double)v).ToArray()).ToArray();

                var gradients = reference.Trainable.Select((p, i) => (p, read[i + 1])).ToDictionary(x => x.p, x => x.Item2);
                var extras = extraOutputs.Select((e, i) => (e, read[1 + reference.Trainable.Count + i])).ToDictionary(x => x.e, x => x.Item2);
                return new FixtureRun(read[0][0], gradients, extras, withLoss.Graph.Node.Count, training.Graph.Node.Count - withLoss.Graph.Node.Count);
            }
            finally
            {
                foreach (var value in values)
                {
                    value.Dispose();
                }
            }
        }

        private static string Directory() => FixtureReference.Directory();

        private static long ClassCount(ModelProto model)
        {
            var dims = model.Graph.Output.Single(o => o.Name == "output").Type.TensorType.Shape.Dim;
            return dims[1].DimValue;
        }
    }
}
