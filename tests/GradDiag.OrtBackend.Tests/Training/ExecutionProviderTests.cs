using GradDiag.OrtBackend.Optimizers;
using GradDiag.OrtBackend.Schedules;
using GradDiag.OrtBackend.Tests.Support;
using GradDiag.OrtBackend.Training;

namespace GradDiag.OrtBackend.Tests.Training;

/// <summary>
/// The CUDA provider: a clear error with the CPU-only package, and a training run where CUDA works. This
/// test project references the CPU package Microsoft.ML.OnnxRuntime, so the CUDA run is skipped with the
/// reason the backend gives.
/// </summary>
public sealed class ExecutionProviderTests : IDisposable
{
    private readonly TempDirectory directory = new();

    public void Dispose() => directory.Dispose();

    [Theory]
    [InlineData(
        "[ErrorCode:Fail] Failed to load library /app/runtimes/linux-x64/native/libonnxruntime_providers_cuda.so with error: libcublasLt.so.13: cannot open shared object file: No such file or directory",
        "libcublasLt.so.13")]
    [InlineData("Failed to load library libonnxruntime_providers_cuda.so with error: libcudnn.so.9: cannot open shared object file", "libcudnn.so.9")]
    [InlineData("LoadLibrary failed with error 126 when trying to load onnxruntime_providers_cuda.dll", "onnxruntime_providers_cuda.dll")]
    [InlineData("CUDA failure 35: CUDA driver version is insufficient for CUDA runtime version", null)]
    public void Loader_named_library_is_reported(string message, string? expected)
    {
        // The first message is what the GPU package printed on a machine without CUDA libraries.
        SessionFactory.MissingLibraryName(message).Should().Be(expected);
    }

    [Fact]
    public void Cpu_is_the_default()
    {
        using var backend = BackendSetup.Digits(directory, "digits_mlp", BackendSetup.PlainSgd);

        backend.Device.Should().Be("cpu");
    }

    [Fact]
    public void Cuda_with_cpu_package_explains_fix()
    {
        using (BackendSetup.Digits(directory, "digits_mlp", BackendSetup.PlainSgd))
        {
        }

        var options = new OrtBackendOptions { ArtifactsDirectory = directory.File("artifacts"), ExecutionProvider = OrtExecutionProvider.Cuda };

        var open = () => new OrtTrainingBackend(options);

        var message = open.Should().Throw<ExecutionProviderException>().Which.Message;
        message.Should().Contain("Microsoft.ML.OnnxRuntime.Gpu");
        message.Should().Contain("ExecutionProvider = Cpu");
    }

    [SkippableTheory]
    [InlineData(BufferPlacement.Device)]
    [InlineData(BufferPlacement.Host)]
    public void Cuda_training_matches_cpu(BufferPlacement placement)
    {
        // Adam with a decaying rate reads the step and the learning rate in every update, so a stale binding shows.
        var adam = new OptimizerOptions { Kind = OptimizerKind.Adam };
        var schedule = LearningRateSchedules.StepDecay(0.01, stepSize: 2, gamma: 0.5);
        using (BackendSetup.Digits(directory, "digits_mlp", adam))
        {
        }

        OrtTrainingBackend cuda;
        try
        {
            cuda = new OrtTrainingBackend(new OrtBackendOptions
            {
                ArtifactsDirectory = directory.File("artifacts"),
                ExecutionProvider = OrtExecutionProvider.Cuda,
                BufferPlacement = placement,
                LearningRateSchedule = schedule,
            });
        }
        catch (ExecutionProviderException exception)
        {
            throw new SkipException("No usable CUDA provider: " + exception.Message);
        }

        var checkpoint = directory.File("cuda.gdckpt");
        using (cuda)
        using (var cpu = new OrtTrainingBackend(new OrtBackendOptions { ArtifactsDirectory = directory.File("artifacts"), LearningRateSchedule = schedule }))
        {
            cuda.Device.Should().Be("cuda:0");
            cuda.UsesDeviceBuffers.Should().Be(placement == BufferPlacement.Device);
            var cudaSnapshot = new GradientSnapshot(cuda.Parameters);
            var cpuSnapshot = new GradientSnapshot(cpu.Parameters);
            for (var step = 0; step < 6; step++)
            {
                var batch = DigitsData.Batch("digits_mlp", step * 64, 64);
                var cudaLoss = cuda.ComputeGradients(batch);
                var cpuLoss = cpu.ComputeGradients(batch);

                // TF32 matrix products on the device keep about 10 mantissa bits, hence the loose bounds.
                cudaLoss.Should().BeApproximately(cpuLoss, 1e-2 * cpuLoss, $"loss at step {step}");
                cuda.CaptureGradients(cudaSnapshot, includeHostValues: true);
                cpu.CaptureGradients(cpuSnapshot, includeHostValues: true);
                for (var i = 0; i < cpu.Parameters.Count; i++)
                {
                    Distance(cudaSnapshot.GetGradient(i).Span, cpuSnapshot.GetGradient(i).Span).Should().BeLessThan(1e-2, $"gradient of {cpu.Parameters[i].Name} at step {step}");
                }

                cuda.ApplyUpdate(cudaSnapshot);
                cpu.ApplyUpdate(cpuSnapshot);
            }

            foreach (var parameter in cpu.Parameters)
            {
                Distance(cuda.GetParameterValues(parameter.Name), cpu.GetParameterValues(parameter.Name)).Should().BeLessThan(1e-2, $"{parameter.Name} after six Adam updates");
            }

            cuda.SaveCheckpoint(checkpoint);
        }

        using var resumed = new OrtTrainingBackend(new OrtBackendOptions { ArtifactsDirectory = directory.File("artifacts"), CheckpointPath = checkpoint, LearningRateSchedule = schedule });
        resumed.UpdatesApplied.Should().Be(6, "the checkpoint written from CUDA holds the step");
    }

    /// <summary>Returns ||actual − expected|| / ||expected||.</summary>
    private static double Distance(ReadOnlySpan<float> actual, ReadOnlySpan<float> expected)
    {
        double difference = 0;
        double norm = 0;
        for (var i = 0; i < expected.Length; i++)
        {
            difference += ((double)actual[i] - expected[i]) * ((double)actual[i] - expected[i]);
            norm += (double)expected[i] * expected[i];
        }

        return Math.Sqrt(difference / Math.Max(norm, 1e-300));
    }
}
