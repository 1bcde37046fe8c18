using GradDiag.OrtBackend.Artifacts;
using GradDiag.OrtBackend.Checkpoints;
using GradDiag.OrtBackend.Losses;
using GradDiag.OrtBackend.Models;
using GradDiag.OrtBackend.Optimizers;
using GradDiag.OrtBackend.Tests.Support;
using GradDiag.OrtBackend.Training;
using Microsoft.ML.OnnxRuntime;
using System.Runtime.InteropServices;

namespace GradDiag.OrtBackend.Tests.Training;

/// <summary>BatchNormalization running statistics through the backend, on the cnn fixture (opset 14, training mode).</summary>
public sealed class RunningStatisticsTests : IDisposable
{
    private readonly TempDirectory directory = new();
    private readonly FixtureReference reference = FixtureReference.Load("cnn");

    public void Dispose() => directory.Dispose();

    [Theory]
    [InlineData(BufferPlacement.Host)]
    [InlineData(BufferPlacement.Device)]
    public void Training_step_updates_like_torch(BufferPlacement placement)
    {
        using var backend = Open(placement);
        var initialVariance = Saved(backend, "bn.running_var");

        backend.ComputeGradients(Batch());
        backend.ApplyUpdate(null);

        var mean = Saved(backend, "bn.running_mean");
        var expectedMean = reference.BuffersAfterStep["bn.running_mean"].Data;
        for (var i = 0; i < expectedMean.Length; i++)
        {
            ((double)mean[i]).Should().BeApproximately(expectedMean[i], 1e-5, $"bn.running_mean[{i}]");
        }

        // PyTorch blends in the unbiased batch variance and ONNX the population variance, so the torch value is
        // converted. With momentum 0.1, unbiased = (torch − 0.9·initial) / 0.1, and ONNX blends in
        // unbiased·(n − 1)/n, where n = 4·16·16 = 1024 values per channel (batch 4, 16×16 feature maps).
        const double PerChannel = 1024;
        var variance = Saved(backend, "bn.running_var");
        var torchVariance = reference.BuffersAfterStep["bn.running_var"].Data;
        for (var i = 0; i < torchVariance.Length; i++)
        {
            var unbiased = (torchVariance[i] - (0.9 * initialVariance[i])) / 0.1;
            var expected = (0.9 * initialVariance[i]) + (0.1 * unbiased * (PerChannel - 1) / PerChannel);
            ((double)variance[i]).Should().BeApproximately(expected, 1e-5 * expected, $"bn.running_var[{i}]");
        }
    }

    [Theory]
    [InlineData(BufferPlacement.Host)]
    [InlineData(BufferPlacement.Device)]
    public void Skipped_step_keeps_statistics(BufferPlacement placement)
    {
        using var backend = Open(placement);
        var before = Saved(backend, "bn.running_mean");

        backend.ComputeGradients(Batch());
        backend.SkipUpdate();

        Saved(backend, "bn.running_mean").Should().Equal(before);
    }

    [Theory]
    [InlineData(BufferPlacement.Host)]
    [InlineData(BufferPlacement.Device)]
    public void Export_uses_inference_mode_and_new_statistics(BufferPlacement placement)
    {
        using var backend = Open(placement);
        backend.ComputeGradients(Batch());
        backend.ApplyUpdate(null);
        var path = directory.File("cnn-trained.onnx");

        backend.ExportInferenceModel(path);

        var model = OnnxModel.Load(path).Proto;
        var node = model.Graph.Node.Single(n => n.OpType == "BatchNormalization");
        node.Attribute.Should().NotContain(a => a.Name == "training_mode" && a.I != 0, "training_mode is 0 or absent in inference mode");
        node.Output.Should().HaveCount(1);
        var mean = model.Graph.Initializer.Single(t => t.Name == "bn.running_mean");
        MemoryMarshal.Cast<byte, float>(mean.RawData.Span).ToArray().Should().Equal(Saved(backend, "bn.running_mean"));
        using var session = new InferenceSession(path);
        session.InputNames.Should().Equal("input");
    }

    private OrtTrainingBackend Open(BufferPlacement placement)
    {
        var source = directory.File("cnn.onnx");
        File.Copy(FixturePaths.Onnx("cnn.onnx"), source, overwrite: true);
        return OrtTrainingBackend.Create(
            source,
            "output",
            new LossOptions { Kind = LossKind.CrossEntropy },
            new TrainingArtifactOptions { Optimizer = new OptimizerOptions { Kind = OptimizerKind.Sgd } },
            new OrtBackendOptions { ArtifactsDirectory = directory.File("artifacts"), IntraOpThreads = 1, BufferPlacement = placement });
    }

    private TrainingBatch Batch() => new TrainingBatch()
        .Add("input", reference.Input.Data.Select(v => (float)v).ToArray(), reference.Input.Shape)
        .Add("labels", reference.Labels.Data.Select(v => (long)v).ToArray(), reference.Labels.Shape);

    private float[] Saved(OrtTrainingBackend backend, string name)
    {
        var path = directory.File("probe.gdckpt");
        backend.SaveCheckpoint(path);
        return MemoryMarshal.Cast<byte, float>(CheckpointFile.Load(path).Find(name)!.Data).ToArray();
    }
}
