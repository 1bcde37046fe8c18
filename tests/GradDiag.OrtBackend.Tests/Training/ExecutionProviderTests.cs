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

    [SkippableFact]
    public void Cuda_training_matches_cpu()
    {
        using (BackendSetup.Digits(directory, "digits_mlp", BackendSetup.PlainSgd))
        {
        }

        OrtTrainingBackend cuda;
        try
        {
            cuda = new OrtTrainingBackend(new OrtBackendOptions { ArtifactsDirectory = directory.File("artifacts"), ExecutionProvider = OrtExecutionProvider.Cuda, LearningRate = 0.1 });
        }
        catch (ExecutionProviderException exception)
        {
            throw new SkipException("No usable CUDA provider: " + exception.Message);
        }

        using (cuda)
        using (var cpu = new OrtTrainingBackend(new OrtBackendOptions { ArtifactsDirectory = directory.File("artifacts"), LearningRate = 0.1 }))
        {
            cuda.Device.Should().Be("cuda:0");
            for (var step = 0; step < 3; step++)
            {
                var batch = DigitsData.Batch("digits_mlp", step * 64, 64);
                var cudaLoss = cuda.ComputeGradients(batch);
                var cpuLoss = cpu.ComputeGradients(batch);
                cuda.ApplyUpdate(null);
                cpu.ApplyUpdate(null);

                // TF32 matrix products on the device keep about 10 mantissa bits, hence the loose bound.
                cudaLoss.Should().BeApproximately(cpuLoss, 1e-2 * cpuLoss);
            }
        }
    }
}
