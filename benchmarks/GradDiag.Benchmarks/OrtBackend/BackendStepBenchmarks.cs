using BenchmarkDotNet.Attributes;
using GradDiag.OrtBackend.Artifacts;
using GradDiag.OrtBackend.Losses;
using GradDiag.OrtBackend.Optimizers;
using GradDiag.OrtBackend.Training;
using GradDiag.Writers.TensorBoard;

namespace GradDiag.Benchmarks.OrtBackend;

/// <summary>
/// Measures one training step of <see cref="OrtTrainingBackend"/> on the CPU provider with two intra-op threads,
/// for the models that tools/fixtures/bench_torch_step.py times in PyTorch: bench_mlp (784-1024-1024-10,
/// batch 128) and bench_cnn (two convolutions on 28x28, batch 64), cross-entropy and plain SGD (lr 0.01).
/// </summary>
/// <remarks>
/// <c>Bare</c> is ComputeGradients and ApplyUpdate. <c>CaptureStatistics</c> is the statistics model alone. <c>Monitored</c> runs the same step through
/// <see cref="GradientMonitor.TrainStep(TrainingBatch)"/> with statistics every step and histograms every
/// 50 steps, writing TensorBoard event files to a temporary folder. Both run 50 steps per invocation and report the
/// time per step, so the histogram step's cost is spread as it is in training. The backend's default statistics path
/// applies: the host kernel on the CPU provider.
/// </remarks>
[MemoryDiagnoser]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "BenchmarkDotNet needs an unsealed class and disposes it through GlobalCleanup.")]
public class BackendStepBenchmarks
{
    private const int Threads = 2;

    // Equal to the histogram interval, so each measured invocation of Monitored covers one histogram step.
    private const int StepsPerInvocation = 50;

    private string directory = string.Empty;
    private OrtTrainingBackend backend = null!;
    private GradientMonitor monitor = null!;
    private TensorBoardSummaryWriter writer = null!;
    private TrainingBatch batch = null!;
    private GradientSnapshot snapshot = null!;

    [Params("bench_mlp", "bench_cnn")]
    public string Model { get; set; } = "bench_mlp";

    [GlobalSetup]
    public void Setup()
    {
        directory = Directory.CreateTempSubdirectory("graddiag-bench-").FullName;
        var source = Path.Combine(directory, Model + ".onnx");
        File.Copy(FixturePath(Model + ".onnx"), source);
        backend = OrtTrainingBackend.Create(
            source,
            "output",
            new LossOptions { Kind = LossKind.CrossEntropy },
            new TrainingArtifactOptions { Optimizer = new OptimizerOptions { Kind = OptimizerKind.Sgd } },
            new OrtBackendOptions { ArtifactsDirectory = Path.Combine(directory, "artifacts"), IntraOpThreads = Threads, LearningRate = 0.01 });
        writer = new TensorBoardSummaryWriter(new TensorBoardWriterOptions { LogDirectory = Path.Combine(directory, "runs"), RunName = Model });
        monitor = new GradientMonitor(new GradDiagOptions { StatisticsInterval = 1, HistogramInterval = 50 }, [writer], backend: backend);
        batch = CreateBatch(Model);

        // Two warm-up steps, then the bytes of one ordinary monitored step (not a histogram step).
        monitor.TrainStep(batch);
        monitor.TrainStep(batch);
        var before = backend.BytesCopiedToHost;
        monitor.TrainStep(batch);
        var elements = backend.Parameters.Sum(p => p.ElementCount);
        Console.WriteLine($"// {Model}: {backend.Parameters.Count} parameters, {elements} elements ({4 * elements} bytes); bytes read back per ordinary monitored step: {backend.BytesCopiedToHost - before}");

        // Leaves gradients for CaptureStatistics; Bare and Monitored consume them on their first call.
        snapshot = new GradientSnapshot(backend.Parameters);
        backend.ComputeGradients(batch);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        monitor.Dispose();
        backend.Dispose();
        Directory.Delete(directory, recursive: true);
    }

    /// <summary>Runs 50 plain steps per invocation and reports the time per step.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = StepsPerInvocation)]
    public double Bare()
    {
        double loss = 0;
        for (int i = 0; i < StepsPerInvocation; i++)
        {
            loss = backend.ComputeGradients(batch);
            backend.ApplyUpdate(null);
        }

        return loss;
    }

    /// <summary>Runs 50 monitored steps per invocation, so every invocation contains exactly one histogram step.</summary>
    [Benchmark(OperationsPerInvoke = StepsPerInvocation)]
    public double Monitored()
    {
        double loss = 0;
        for (int i = 0; i < StepsPerInvocation; i++)
        {
            loss = monitor.TrainStep(batch).Loss;
        }

        return loss;
    }

    /// <summary>Captures the statistics of an ordinary step, the part that monitoring adds to the backend's work.</summary>
    [Benchmark]
    public long CaptureStatistics()
    {
        backend.CaptureGradients(snapshot, includeHostValues: false);
        return backend.BytesCopiedToHost;
    }

    internal static TrainingBatch CreateBatch(string model)
    {
        var random = new Random(7);
        var (rows, shape) = model == "bench_mlp" ? (128, new long[] { 128, 784 }) : (64, new long[] { 64, 1, 28, 28 });
        var count = (int)shape.Aggregate(1L, (p, d) => p * d);
        var input = new float[count];
        for (var i = 0; i < count; i++)
        {
            input[i] = (float)random.NextDouble();
        }

        var labels = new long[rows];
        for (var i = 0; i < rows; i++)
        {
            labels[i] = random.Next(10);
        }

        return new TrainingBatch().Add("input", input, shape).Add("labels", labels, rows);
    }

    internal static string FixturePath(string fileName)
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            var candidate = Path.Combine(folder.FullName, "tests", "fixtures", "onnx", fileName);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException($"tests/fixtures/onnx/{fileName} was not found above {AppContext.BaseDirectory}.");
    }
}
