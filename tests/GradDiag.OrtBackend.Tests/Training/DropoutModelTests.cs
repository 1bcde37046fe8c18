using GradDiag.OrtBackend.Artifacts;
using GradDiag.OrtBackend.Graphs;
using GradDiag.OrtBackend.Losses;
using GradDiag.OrtBackend.Models;
using GradDiag.OrtBackend.Optimizers;
using GradDiag.OrtBackend.Tests.Support;
using GradDiag.OrtBackend.Training;
using Microsoft.ML.OnnxRuntime;

namespace GradDiag.OrtBackend.Tests.Training;

/// <summary>A model y = Dropout(x · W) with MSE against zero: training draws masks, evaluation and export do not.</summary>
public sealed class DropoutModelTests : IDisposable
{
    private static readonly float[] Input = Enumerable.Range(0, 8 * 4).Select(i => (float)Math.Sin(i + 1)).ToArray();
    private static readonly double[] Weights = Enumerable.Range(0, 4 * 3).Select(i => Math.Cos(i + 1)).ToArray();

    private readonly TempDirectory directory = new();

    public void Dispose() => directory.Dispose();

    [Fact]
    public void Evaluate_runs_without_dropout()
    {
        using var backend = Open(seed: 3);

        var first = backend.Evaluate(Batch());
        var second = backend.Evaluate(Batch());

        first.Should().Be(second);
        first.Should().BeApproximately(ExpectedLoss(), 1e-6 * ExpectedLoss());
    }

    [Theory]
    [InlineData(BufferPlacement.Host)]
    [InlineData(BufferPlacement.Device)]
    public void Same_seed_trains_identically(BufferPlacement placement)
    {
        using var first = Open(seed: 3, placement: placement);
        var firstLosses = SkippedSteps(first, 3);
        using var second = Open(seed: 3);
        var secondLosses = SkippedSteps(second, 3);
        using var other = Open(seed: 4);
        var otherLosses = SkippedSteps(other, 3);

        secondLosses.Should().Equal(firstLosses);
        firstLosses.Distinct().Should().HaveCount(3, "each step draws a new mask");
        otherLosses.Should().NotEqual(firstLosses, "another seed draws other masks");
    }

    [Fact]
    public void Drawn_seed_resumes_masks()
    {
        var checkpoint = directory.File("drawn-seed.gdckpt");
        using var drawn = Open(seed: null);
        UpdatedSteps(drawn, 2);
        drawn.SaveCheckpoint(checkpoint);
        var expected = UpdatedSteps(drawn, 2);

        using var resumed = Open(drawn.DropoutSeed, checkpoint);

        UpdatedSteps(resumed, 2).Should().Equal(expected);
    }

    [Fact]
    public void Same_step_draws_same_mask()
    {
        using var backend = Open(seed: 3);

        var first = backend.ComputeGradients(Batch());
        var again = backend.ComputeGradients(Batch());

        again.Should().Be(first, "the mask depends on the seed, the step and the micro-batch, not on how often a step is computed");
    }

    [Fact]
    public void Resumed_run_draws_same_masks()
    {
        var checkpoint = directory.File("after-two.gdckpt");
        using var straight = Open(seed: 11);
        using var interrupted = Open(seed: 11);
        var straightLosses = UpdatedSteps(straight, 4);
        var losses = UpdatedSteps(interrupted, 2);
        interrupted.SaveCheckpoint(checkpoint);

        using var resumed = Open(seed: 11, checkpoint);
        losses.AddRange(UpdatedSteps(resumed, 2));

        losses.Should().Equal(straightLosses);
        resumed.GetParameterValues("w").Should().Equal(straight.GetParameterValues("w"));
    }

    [Fact]
    public void Export_runs_without_dropout()
    {
        using var backend = Open(seed: 3);
        var path = directory.File("exported.onnx");

        backend.ExportInferenceModel(path);

        using var session = new InferenceSession(path);
        using var input = OrtValue.CreateTensorValueFromMemory(Input, [8, 4]);
        using var outputs = session.Run(new RunOptions(), ["x"], [input], [session.OutputNames[0]]);
        var output = outputs[0].GetTensorDataAsSpan<float>().ToArray();
        var loss = output.Sum(v => (double)v * v) / output.Length;
        loss.Should().BeApproximately(ExpectedLoss(), 1e-6 * ExpectedLoss());
    }

    private static List<double> SkippedSteps(OrtTrainingBackend backend, int count)
    {
        var losses = new List<double>();
        for (var step = 0; step < count; step++)
        {
            losses.Add(backend.ComputeGradients(Batch()));
            backend.SkipUpdate();
        }

        return losses;
    }

    private static List<double> UpdatedSteps(OrtTrainingBackend backend, int count)
    {
        var losses = new List<double>();
        for (var step = 0; step < count; step++)
        {
            losses.Add(backend.ComputeGradients(Batch()));
            backend.ApplyUpdate(null);
        }

        return losses;
    }

    private OrtTrainingBackend Open(long? seed, string? checkpoint = null, BufferPlacement placement = BufferPlacement.Host)
    {
        var path = directory.File("dropout.onnx");
        if (!File.Exists(path))
        {
            var builder = new GraphBuilder(opset: 17, elementType: DataTypes.Float);
            var x = builder.Input("x", [null, 4]);
            var w = builder.Initializer("w", [4, 3], Weights);
            var ratio = builder.Initializer("ratio", [], [0.5]);
            builder.Graph.Initializer.Add(Tensors.FromBools("training", [], [true]));
            var product = builder.Node("MatMul", [x, w]);
            var dropped = builder.Node("Dropout", [product, ratio, "training"]);
            builder.Output(dropped, [null, 3]);
            new OnnxModel(builder.Model).Save(path);
            OrtTrainingBackend.Create(path, dropped, new LossOptions { Kind = LossKind.MeanSquaredError }, new TrainingArtifactOptions { Optimizer = new OptimizerOptions { Kind = OptimizerKind.Sgd } }, new OrtBackendOptions { ArtifactsDirectory = directory.File("artifacts") }).Dispose();
        }

        return new OrtTrainingBackend(new OrtBackendOptions
        {
            ArtifactsDirectory = directory.File("artifacts"),
            DropoutSeed = seed,
            CheckpointPath = checkpoint,
            IntraOpThreads = 1,
            DeterministicCompute = true,
            BufferPlacement = placement,
        });
    }

    private static TrainingBatch Batch() => new TrainingBatch().Add("x", Input, 8, 4).Add("target", new float[8 * 3], 8, 3);

    /// <summary>Returns mean((x · W)²), the loss against a zero target without dropout, in float64.</summary>
    private static double ExpectedLoss()
    {
        var sum = 0.0;
        for (var row = 0; row < 8; row++)
        {
            for (var column = 0; column < 3; column++)
            {
                var value = 0.0;
                for (var k = 0; k < 4; k++)
                {
                    value += Input[(row * 4) + k] * (double)(float)Weights[(k * 3) + column];
                }

                sum += value * value;
            }
        }

        return sum / 24;
    }
}
