using System.Diagnostics;
using System.Globalization;
using GradDiag;
using GradDiag.OrtBackend.Artifacts;
using GradDiag.OrtBackend.Losses;
using GradDiag.OrtBackend.Optimizers;
using GradDiag.OrtBackend.Schedules;
using GradDiag.OrtBackend.Training;
using Microsoft.ML.OnnxRuntime;

// Checks the CUDA path of the training backend against the CPU on bench_mlp and bench_cnn, training with Adam and a
// decaying learning rate. It checks that the CUDA provider is created. It checks that losses, per-parameter gradient
// norms, gradients copied to the host and the parameters after the last update agree, and what an ordinary step
// reads back. It times a step on the CPU and on CUDA with device and with host buffers. Prints one line per result
// and exits 1 when a check fails.
// Usage: GradDiag.GpuCheck [fixtures folder] [steps] [--cpu-as-device]. The last switch puts CPU backends where the
// CUDA ones would be, to try the check itself on a machine without a GPU.
string fixtures = args.Length > 0 ? args[0] : Path.Combine(AppContext.BaseDirectory, "fixtures");
int steps = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 20;
OrtExecutionProvider device = args.Contains("--cpu-as-device") ? OrtExecutionProvider.Cpu : OrtExecutionProvider.Cuda;
OrtEnv environment = OrtEnv.Instance();
Console.WriteLine($"ONNX Runtime {environment.GetVersionString()}; providers in this build: {string.Join(", ", environment.GetAvailableProviders())}");

int failures = 0;
foreach (string model in new[] { "bench_mlp", "bench_cnn" })
{
    failures += CheckModel(fixtures, model, steps, device);
}

Console.WriteLine(failures == 0 ? "all checks passed" : $"{failures} check(s) failed");
return failures == 0 ? 0 : 1;

static int CheckModel(string fixtures, string model, int steps, OrtExecutionProvider device)
{
    string directory = Directory.CreateTempSubdirectory("graddiag-gpu-check-").FullName;
    try
    {
        string source = Path.Combine(directory, model + ".onnx");
        File.Copy(Path.Combine(fixtures, model + ".onnx"), source);
        // Adam with a decaying rate reads the step and the learning rate in every update, so a stale binding of either shows.
        var adam = new TrainingArtifactOptions { Optimizer = new OptimizerOptions { Kind = OptimizerKind.Adam } };
        string artifacts = Path.Combine(directory, "artifacts");
        using OrtTrainingBackend cpu = OrtTrainingBackend.Create(
            source,
            "output",
            new LossOptions { Kind = LossKind.CrossEntropy },
            adam,
            new OrtBackendOptions { ArtifactsDirectory = artifacts, LearningRateSchedule = Schedule() });
        OrtTrainingBackend cuda;
        OrtTrainingBackend cudaHostBuffers;
        try
        {
            // Device buffers are what Auto chooses on CUDA; on the CPU they are chosen here to try the same path.
            cuda = new OrtTrainingBackend(DeviceOptions(artifacts, source, device, BufferPlacement.Device));
            cudaHostBuffers = new OrtTrainingBackend(DeviceOptions(artifacts, source, device, BufferPlacement.Host));
        }
        catch (ExecutionProviderException exception)
        {
            Console.WriteLine($"{model}: FAIL the CUDA provider could not be created: {exception.Message}");
            return 1;
        }

        using (cuda)
        using (cudaHostBuffers)
        {
            int failures = Compare(model, cpu, cuda, steps);
            double cpuTime = StepTime(cpu, model);
            double deviceTime = StepTime(cuda, model);
            double hostBufferTime = StepTime(cudaHostBuffers, model);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{model}: step time CPU {cpuTime:F3} ms; {cuda.Device} with device buffers {deviceTime:F3} ms, with host buffers {hostBufferTime:F3} ms; device buffers / CPU {deviceTime / cpuTime:F3}, device buffers / host buffers {deviceTime / hostBufferTime:F3}"));
            return failures;
        }
    }
    finally
    {
        Directory.Delete(directory, recursive: true);
    }
}

static OrtBackendOptions DeviceOptions(string artifacts, string source, OrtExecutionProvider device, BufferPlacement placement) => new()
{
    ArtifactsDirectory = artifacts,
    SourceModelPath = source,
    ExecutionProvider = device,
    BufferPlacement = placement,
    LearningRateSchedule = Schedule(),
};

static ILearningRateSchedule Schedule() => LearningRateSchedules.StepDecay(0.001, stepSize: 5, gamma: 0.5);

static int Compare(string model, OrtTrainingBackend cpu, OrtTrainingBackend cuda, int steps)
{
    Console.WriteLine($"{model}: device {cuda.Device}, buffers on the {(cuda.UsesDeviceBuffers ? "device" : "host")}, statistics on the {(cuda.UsesHostStatistics ? "host" : "device")}, updates on the {(cuda.UsesHostOptimizer ? "host" : "device")}");
    var cpuSnapshot = new GradientSnapshot(cpu.Parameters);
    var cudaSnapshot = new GradientSnapshot(cuda.Parameters);
    double largestLossDifference = 0;
    double largestNormDifference = 0;
    double largestGradientDifference = 0;
    long bytesPerStep = -1;
    for (int step = 0; step < steps; step++)
    {
        TrainingBatch batch = Batch(model, step);
        double cpuLoss = cpu.ComputeGradients(batch);
        long before = cuda.BytesCopiedToHost;
        double cudaLoss = cuda.ComputeGradients(batch);
        largestLossDifference = Math.Max(largestLossDifference, Relative(cudaLoss, cpuLoss));

        // Every fifth step copies the gradients to the host, as a histogram step does.
        bool copy = step % 5 == 4;
        cpu.CaptureGradients(cpuSnapshot, includeHostValues: copy);
        cuda.CaptureGradients(cudaSnapshot, includeHostValues: copy);
        for (int i = 0; i < cpu.Parameters.Count; i++)
        {
            if (copy)
            {
                largestGradientDifference = Math.Max(largestGradientDifference, RelativeDistance(cudaSnapshot.GetGradient(i).Span, cpuSnapshot.GetGradient(i).Span));
                continue;
            }

            cpuSnapshot.TryGetDeviceStatistics(i, out TensorStatistics expected, out _);
            cudaSnapshot.TryGetDeviceStatistics(i, out TensorStatistics actual, out _);
            largestNormDifference = Math.Max(largestNormDifference, Relative(actual.L2Norm, expected.L2Norm));
        }

        cpu.ApplyUpdate(cpuSnapshot);
        cuda.ApplyUpdate(cudaSnapshot);
        if (!copy)
        {
            bytesPerStep = cuda.BytesCopiedToHost - before;
        }
    }

    // TF32 matrix products on the device keep about 10 mantissa bits, so agreement to 1e-2 is what to expect.
    const double tolerance = 1e-2;
    int failures = 0;
    failures += Report(model, "loss, largest relative difference", largestLossDifference, tolerance);
    failures += Report(model, "per-parameter gradient norms, largest relative difference", largestNormDifference, tolerance);
    failures += Report(model, "gradients copied to the host, largest ||device - CPU|| / ||CPU|| of a parameter", largestGradientDifference, tolerance);
    double largestParameterDifference = 0;
    foreach (ParameterDescriptor parameter in cpu.Parameters)
    {
        largestParameterDifference = Math.Max(largestParameterDifference, RelativeDistance(cuda.GetParameterValues(parameter.Name), cpu.GetParameterValues(parameter.Name)));
    }

    failures += Report(model, $"parameters after {steps} Adam updates, largest ||device - CPU|| / ||CPU||", largestParameterDifference, tolerance);
    long parameters = cuda.Parameters.Count;
    long bound = 8 + (28 * parameters);
    Console.WriteLine($"{model}: {(bytesPerStep <= bound ? "ok" : "FAIL")} bytes read back from ONNX Runtime outputs per ordinary step: {bytesPerStep} (bound 8 + 28 x {parameters} = {bound})");
    failures += bytesPerStep <= bound ? 0 : 1;
    return failures;
}

static int Report(string model, string measurement, double value, double tolerance)
{
    bool ok = value <= tolerance;
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{model}: {(ok ? "ok" : "FAIL")} {measurement}: {value:E2} (bound {tolerance:E0})"));
    return ok ? 0 : 1;
}

static double StepTime(OrtTrainingBackend backend, string model)
{
    TrainingBatch batch = Batch(model, 0);
    for (int i = 0; i < 5; i++)
    {
        backend.ComputeGradients(batch);
        backend.ApplyUpdate(null);
    }

    const int timedSteps = 30;
    long start = Stopwatch.GetTimestamp();
    for (int i = 0; i < timedSteps; i++)
    {
        backend.ComputeGradients(batch);
        backend.ApplyUpdate(null);
    }

    return Stopwatch.GetElapsedTime(start).TotalMilliseconds / timedSteps;
}

static TrainingBatch Batch(string model, int step)
{
    // The benchmark shapes: bench_mlp takes 128 rows of 784 features, bench_cnn 64 images of 1 x 28 x 28.
    var random = new Random(1000 + step);
    (int rows, long[] shape) = model == "bench_mlp" ? (128, new long[] { 128, 784 }) : (64, new long[] { 64, 1, 28, 28 });
    float[] inputs = new float[shape.Aggregate(1L, (product, dimension) => product * dimension)];
    for (int i = 0; i < inputs.Length; i++)
    {
        inputs[i] = (float)random.NextDouble();
    }

    long[] labels = Enumerable.Range(0, rows).Select(_ => (long)random.Next(10)).ToArray();
    return new TrainingBatch().Add("input", inputs, shape).Add("labels", labels, rows);
}

static double RelativeDistance(ReadOnlySpan<float> actual, ReadOnlySpan<float> expected)
{
    double difference = 0;
    double norm = 0;
    for (int i = 0; i < expected.Length; i++)
    {
        difference += ((double)actual[i] - expected[i]) * ((double)actual[i] - expected[i]);
        norm += (double)expected[i] * expected[i];
    }

    return Math.Sqrt(difference) / Math.Max(Math.Sqrt(norm), 1e-30);
}

static double Relative(double actual, double expected) => Math.Abs(actual - expected) / Math.Max(Math.Abs(expected), 1e-30);
