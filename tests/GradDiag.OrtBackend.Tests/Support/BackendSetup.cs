using GradDiag.OrtBackend.Artifacts;
using GradDiag.OrtBackend.Losses;
using GradDiag.OrtBackend.Optimizers;
using GradDiag.OrtBackend.Training;

namespace GradDiag.OrtBackend.Tests.Support;

/// <summary>Builds artifacts for a digits fixture in a temp folder and opens a CPU backend on them.</summary>
internal static class BackendSetup
{
    /// <summary>Copies the fixture model into <paramref name="directory"/>, builds artifacts there with cross-entropy and opens them.</summary>
    public static OrtTrainingBackend Digits(TempDirectory directory, string model, OptimizerOptions optimizer, Action<OrtBackendOptions>? configure = null)
    {
        var source = CopyModel(directory, model);
        var options = new OrtBackendOptions
        {
            ArtifactsDirectory = directory.File("artifacts"),
            IntraOpThreads = 1,
            LearningRate = 0.1,
        };
        configure?.Invoke(options);
        return OrtTrainingBackend.Create(source, "output", new LossOptions { Kind = LossKind.CrossEntropy }, new TrainingArtifactOptions { Optimizer = optimizer }, options);
    }

    public static string CopyModel(TempDirectory directory, string model)
    {
        var source = directory.File(model + ".onnx");
        if (!File.Exists(source))
        {
            File.Copy(FixturePaths.Onnx(model + ".onnx"), source);
        }

        return source;
    }

    public static OptimizerOptions PlainSgd => new() { Kind = OptimizerKind.Sgd };
}
