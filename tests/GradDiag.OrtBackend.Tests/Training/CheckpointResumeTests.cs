using GradDiag.OrtBackend.Artifacts;
using GradDiag.OrtBackend.Checkpoints;
using GradDiag.OrtBackend.Optimizers;
using GradDiag.OrtBackend.Schedules;
using GradDiag.OrtBackend.Tests.Support;
using GradDiag.OrtBackend.Training;

namespace GradDiag.OrtBackend.Tests.Training;

/// <summary>Saves and resumes <see cref="OrtTrainingBackend"/> checkpoints, and rejects bad ones.</summary>
public sealed class CheckpointResumeTests : IDisposable
{
    private static readonly OptimizerOptions Adam = new() { Kind = OptimizerKind.Adam };

    private readonly TempDirectory directory = new();

    public void Dispose() => directory.Dispose();

    [Fact]
    public void Resume_is_bit_identical()
    {
        var schedule = LearningRateSchedules.Warmup(2, LearningRateSchedules.Cosine(0.01, 10));
        void Configure(OrtBackendOptions o)
        {
            o.DeterministicCompute = true;
            o.LearningRateSchedule = schedule;
        }

        using var original = BackendSetup.Digits(directory, "digits_cnn", Adam, Configure);
        Train(original, "digits_cnn", 0, 2);
        original.ComputeGradients(DigitsData.Batch("digits_cnn", 128, 64));
        original.SkipUpdate();
        var checkpoint = directory.File("after3.gdckpt");
        original.SaveCheckpoint(checkpoint);
        Train(original, "digits_cnn", 3, 3);

        var options = new OrtBackendOptions { ArtifactsDirectory = directory.File("artifacts"), IntraOpThreads = 1, CheckpointPath = checkpoint };
        Configure(options);
        using var resumed = new OrtTrainingBackend(options);
        resumed.Step.Should().Be(3);
        resumed.UpdatesApplied.Should().Be(2);
        resumed.LearningRate.Should().Be(schedule.GetLearningRate(3));
        Train(resumed, "digits_cnn", 3, 3);

        resumed.Step.Should().Be(original.Step);
        foreach (var parameter in original.Parameters)
        {
            Bits(resumed.GetParameterValues(parameter.Name)).Should().Equal(Bits(original.GetParameterValues(parameter.Name)), parameter.Name);
        }

        var final = directory.File("final.gdckpt");
        original.SaveCheckpoint(final);
        var again = directory.File("final-resumed.gdckpt");
        resumed.SaveCheckpoint(again);
        File.ReadAllBytes(again).Should().Equal(File.ReadAllBytes(final));
    }

    [Fact]
    public void Load_restores_parameters_and_step()
    {
        using var backend = BackendSetup.Digits(directory, "digits_mlp", Adam);
        var initial = backend.GetParameterValues("fc2.weight");
        var saved = directory.File("start.gdckpt");
        backend.SaveCheckpoint(saved);
        Train(backend, "digits_mlp", 0, 2);

        backend.LoadCheckpoint(saved);

        backend.GetParameterValues("fc2.weight").Should().Equal(initial);
        backend.Step.Should().Be(0);
        backend.UpdatesApplied.Should().Be(0);
    }

    [Fact]
    public void Torn_checkpoint_is_rejected()
    {
        using var backend = BackendSetup.Digits(directory, "digits_mlp", Adam);
        var path = directory.File("torn.gdckpt");
        backend.SaveCheckpoint(path);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes.AsSpan(0, bytes.Length - 100).ToArray());
        Train(backend, "digits_mlp", 0, 1);
        var before = backend.GetParameterValues("fc1.weight");

        var load = () => backend.LoadCheckpoint(path);

        load.Should().Throw<CheckpointException>().Which.Path.Should().Be(path);
        backend.GetParameterValues("fc1.weight").Should().Equal(before);
        backend.Step.Should().Be(1);
    }

    [Fact]
    public void Foreign_file_is_rejected()
    {
        using var backend = BackendSetup.Digits(directory, "digits_mlp", Adam);
        var path = directory.File("not-a-checkpoint.gdckpt");
        File.WriteAllText(path, "{\"schema_version\": 1, \"padding\": \"" + new string('x', 200) + "\"}");

        var load = () => backend.LoadCheckpoint(path);

        load.Should().Throw<CheckpointException>().Which.Field.Should().Be("header.magic");
    }

    [Fact]
    public void Other_model_checkpoint_is_rejected()
    {
        using var cnnDirectory = new TempDirectory();
        using var cnn = BackendSetup.Digits(cnnDirectory, "digits_cnn", Adam);
        var path = directory.File("cnn.gdckpt");
        cnn.SaveCheckpoint(path);
        using var mlp = BackendSetup.Digits(directory, "digits_mlp", Adam);

        var load = () => mlp.LoadCheckpoint(path);

        load.Should().Throw<CheckpointException>().Which.Field.Should().Be("header.model_sha256");
    }

    [Fact]
    public void Other_optimizer_checkpoint_is_rejected()
    {
        using var sgdDirectory = new TempDirectory();
        var source = BackendSetup.CopyModel(sgdDirectory, "digits_mlp");
        File.Copy(source, directory.File("digits_mlp.onnx"));
        using var sgd = BackendSetup.Digits(sgdDirectory, "digits_mlp", BackendSetup.PlainSgd);
        var path = directory.File("sgd.gdckpt");
        sgd.SaveCheckpoint(path);
        using var adam = BackendSetup.Digits(directory, "digits_mlp", Adam);

        var load = () => adam.LoadCheckpoint(path);

        load.Should().Throw<CheckpointException>().WithMessage("*fc1.weight.exp_avg*optimizer*");
    }

    [Fact]
    public void Changed_model_is_rejected()
    {
        using (BackendSetup.Digits(directory, "digits_mlp", Adam))
        {
        }

        var source = directory.File("digits_mlp.onnx");
        File.AppendAllText(source, " ");
        var options = new OrtBackendOptions { ArtifactsDirectory = directory.File("artifacts"), SourceModelPath = source };

        var open = () => new OrtTrainingBackend(options);

        open.Should().Throw<ArtifactException>().WithMessage("*changed since the artifacts*sha256*");
    }

    private static void Train(OrtTrainingBackend backend, string model, int firstBatch, int steps)
    {
        for (var step = firstBatch; step < firstBatch + steps; step++)
        {
            backend.ComputeGradients(DigitsData.Batch(model, step * 64, 64));
            backend.ApplyUpdate(null);
        }
    }

    private static int[] Bits(float[] values) => values.Select(BitConverter.SingleToInt32Bits).ToArray();
}
