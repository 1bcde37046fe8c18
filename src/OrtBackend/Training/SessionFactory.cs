using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.ML.OnnxRuntime;

namespace GradDiag.OrtBackend.Training;

/// <summary>
/// Creates the backend's ONNX Runtime sessions with the configured provider and settings, and turns every
/// way a CUDA provider can fail to load into an <see cref="ExecutionProviderException"/> that names the cause.
/// </summary>
internal static partial class SessionFactory
{
    /// <summary>The shared libraries the CUDA provider of ONNX Runtime 1.32 (Linux x64) links against.</summary>
    internal const string CudaLibraries = "libcudart.so.13, libcublas.so.13, libcublasLt.so.13, libcurand.so.10, libcuda.so.1 (driver) and cuDNN 9 (libcudnn.so.9)";

    private const string CpuAdvice = "To train on the CPU instead, set OrtBackendOptions.ExecutionProvider = Cpu.";

    public static InferenceSession Create(byte[] model, string modelName, OrtBackendOptions options)
    {
        using var sessionOptions = CreateOptions(options);
        try
        {
            return new InferenceSession(model, sessionOptions);
        }
        catch (OnnxRuntimeException exception) when (options.ExecutionProvider == OrtExecutionProvider.Cuda)
        {
            throw new ExecutionProviderException(
                $"Creating the CUDA session for '{modelName}' on device {options.CudaDeviceId} failed: {exception.Message} " +
                $"Check that an NVIDIA device with that id exists and that its driver supports CUDA 13. {CpuAdvice}",
                exception);
        }
    }

    public static SessionOptions CreateOptions(OrtBackendOptions options)
    {
        var sessionOptions = new SessionOptions
        {
            GraphOptimizationLevel = options.GraphOptimizationLevel,
            IntraOpNumThreads = options.IntraOpThreads,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
        };

        try
        {
            if (!options.AllowIntraOpSpinning)
            {
                sessionOptions.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
            }

            if (options.DeterministicCompute)
            {
                DeterministicCompute.Enable(sessionOptions);
            }

            if (options.ExecutionProvider == OrtExecutionProvider.Cuda)
            {
                AppendCuda(sessionOptions, options);
            }

            return sessionOptions;
        }
        catch
        {
            sessionOptions.Dispose();
            throw;
        }
    }

    private static void AppendCuda(SessionOptions sessionOptions, OrtBackendOptions options)
    {
        try
        {
            using var cuda = new OrtCUDAProviderOptions();
            var settings = new Dictionary<string, string>
            {
                ["device_id"] = options.CudaDeviceId.ToString(CultureInfo.InvariantCulture),
            };
            if (options.CudaMemoryLimitBytes is { } limit)
            {
                settings["gpu_mem_limit"] = limit.ToString(CultureInfo.InvariantCulture);
            }

            cuda.UpdateOptions(settings);
            sessionOptions.AppendExecutionProvider_CUDA(cuda);
        }
        catch (EntryPointNotFoundException exception)
        {
            throw CpuOnlyBuild(exception);
        }
        catch (OnnxRuntimeException exception) when (exception.Message.Contains("not enabled in this build", StringComparison.OrdinalIgnoreCase))
        {
            throw CpuOnlyBuild(exception);
        }
        catch (DllNotFoundException exception)
        {
            throw new ExecutionProviderException(
                $"The CUDA execution provider was requested, but a native library could not be loaded: {exception.Message} " +
                $"The CUDA provider needs {CudaLibraries} on the library search path. {CpuAdvice}",
                exception);
        }
        catch (OnnxRuntimeException exception)
        {
            var library = MissingLibraryName(exception.Message);
            var cause = library is not null
                ? $"the shared library '{library}' could not be loaded"
                : "ONNX Runtime could not load or initialise the CUDA provider";
            throw new ExecutionProviderException(
                $"The CUDA execution provider was requested, but {cause}: {exception.Message} " +
                $"The CUDA provider of ONNX Runtime 1.32 needs {CudaLibraries}, and an NVIDIA driver for CUDA 13. {CpuAdvice}",
                exception);
        }
    }

    /// <summary>Returns the error for a native library built without CUDA: the CPU package, which reports it as a missing entry point or as "not enabled in this build".</summary>
    private static ExecutionProviderException CpuOnlyBuild(Exception exception) => new(
        "The CUDA execution provider was requested, but the loaded ONNX Runtime native library was built without it " +
        $"({exception.Message}). The application references the CPU-only package Microsoft.ML.OnnxRuntime; " +
        $"reference Microsoft.ML.OnnxRuntime.Gpu instead (and no other ONNX Runtime native package). {CpuAdvice}",
        exception);

    /// <summary>
    /// Returns the library that ONNX Runtime's error names as not loadable: the one the dynamic loader reports
    /// ("libX.so: cannot open shared object file") when there is one, because ONNX Runtime names its own provider
    /// library first ("Failed to load library …/libonnxruntime_providers_cuda.so with error: libcublasLt.so.13: …").
    /// Otherwise the first library name in the message, or null.
    /// </summary>
    internal static string? MissingLibraryName(string message)
    {
        var dependency = UnloadableDependency().Match(message);
        if (dependency.Success)
        {
            return dependency.Groups[1].Value;
        }

        var library = LibraryName().Match(message);
        return library.Success ? library.Value : null;
    }

    [GeneratedRegex(@"(lib[\w.+-]+\.so(?:\.\d+)*): cannot open shared object file", RegexOptions.CultureInvariant)]
    private static partial Regex UnloadableDependency();

    [GeneratedRegex(@"lib[\w.+-]+\.so(\.\d+)*|[\w.+-]+\.dll", RegexOptions.CultureInvariant)]
    private static partial Regex LibraryName();
}
