using System.Diagnostics;
using System.Globalization;
using GradDiag.OrtBackend.Artifacts;
using GradDiag.OrtBackend.Losses;
using GradDiag.OrtBackend.Optimizers;
using GradDiag.OrtBackend.Training;
using GradDiag.Writers.TensorBoard;

namespace GradDiag.Benchmarks.OrtBackend;

/// <summary>
/// Measures the monitoring overhead with plain and monitored blocks of 50 steps taken in turn on one backend, so
/// both sides run under the same machine load. BenchmarkDotNet measures one method's iterations before the other's.
/// </summary>
/// <remarks>
/// Run with <c>dotnet GradDiag.Benchmarks.dll overhead [bench_mlp|bench_cnn] [rounds] [--no-writer] [--no-histograms] [--control]
/// [--spinning]</c>. The first two switches leave out the TensorBoard writer or the histogram steps, to show what each costs, and
/// <c>--spinning</c> sets <see cref="OrtBackendOptions.AllowIntraOpSpinning"/>.
/// <c>--control</c> sets the statistics interval so high that no step is observed, so the two sides do the same
/// work and the ratio shows the method's own bias. The monitored side
/// computes statistics every step and histograms every 50 steps and writes TensorBoard event files, as in
/// <see cref="BackendStepBenchmarks"/>. Each round times one plain block and one monitored block, and the two
/// alternate in which goes first. It prints the median of the per-round ratios and the ratio of the fastest blocks.
/// </remarks>
internal static class OverheadRun
{
    private const int StepsPerBlock = 50;

    public static int Run(string[] args)
    {
        string model = args.Length > 1 ? args[1] : "bench_mlp";
        int rounds = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 20;
        bool writes = !args.Contains("--no-writer");
        bool control = args.Contains("--control");
        bool spinning = args.Contains("--spinning");
        int histogramInterval = args.Contains("--no-histograms") || control ? 0 : 50;
        int statisticsInterval = control ? int.MaxValue : 1;
        string directory = Directory.CreateTempSubdirectory("graddiag-overhead-").FullName;
        try
        {
            string source = Path.Combine(directory, model + ".onnx");
            File.Copy(BackendStepBenchmarks.FixturePath(model + ".onnx"), source);
            using OrtTrainingBackend backend = OrtTrainingBackend.Create(
                source,
                "output",
                new LossOptions { Kind = LossKind.CrossEntropy },
                new TrainingArtifactOptions { Optimizer = new OptimizerOptions { Kind = OptimizerKind.Sgd } },
                new OrtBackendOptions { ArtifactsDirectory = Path.Combine(directory, "artifacts"), IntraOpThreads = 2, LearningRate = 0.01, AllowIntraOpSpinning = spinning });
            ISummaryWriter[] writers = writes
                ? [new TensorBoardSummaryWriter(new TensorBoardWriterOptions { LogDirectory = Path.Combine(directory, "runs"), RunName = model })]
                : [];
            using var monitor = new GradientMonitor(new GradDiagOptions { StatisticsInterval = statisticsInterval, HistogramInterval = histogramInterval }, writers, backend: backend);
            TrainingBatch batch = BackendStepBenchmarks.CreateBatch(model);

            // One block of each as warm-up.
            Plain(backend, batch);
            Monitored(monitor, batch);

            var ratios = new List<double>();
            var plainSteps = new List<double>();
            var monitoredSteps = new List<double>();
            double fastestPlain = double.MaxValue;
            double fastestMonitored = double.MaxValue;
            Console.WriteLine("round,plain_ms_per_step,monitored_ms_per_step,ratio");
            for (int round = 0; round < rounds; round++)
            {
                double plain;
                double monitored;
                if (round % 2 == 0)
                {
                    plain = Plain(backend, batch);
                    monitored = Monitored(monitor, batch);
                }
                else
                {
                    monitored = Monitored(monitor, batch);
                    plain = Plain(backend, batch);
                }

                ratios.Add(monitored / plain);
                plainSteps.Add(plain);
                monitoredSteps.Add(monitored);
                fastestPlain = Math.Min(fastestPlain, plain);
                fastestMonitored = Math.Min(fastestMonitored, monitored);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{round},{plain:F3},{monitored:F3},{monitored / plain:F4}"));
            }

            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"{model}: median ratio {Median(ratios):F4}, median blocks {Median(monitoredSteps):F3} / {Median(plainSteps):F3} ms per step, fastest blocks {fastestMonitored:F3} / {fastestPlain:F3} ms per step = {fastestMonitored / fastestPlain:F4}, over {rounds} rounds of {StepsPerBlock} steps each"));
            return 0;
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static double Median(List<double> values)
    {
        values.Sort();
        int middle = values.Count / 2;
        return values.Count % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
    }

    private static double Plain(OrtTrainingBackend backend, TrainingBatch batch)
    {
        long start = Stopwatch.GetTimestamp();
        for (int i = 0; i < StepsPerBlock; i++)
        {
            backend.ComputeGradients(batch);
            backend.ApplyUpdate(null);
        }

        return Stopwatch.GetElapsedTime(start).TotalMilliseconds / StepsPerBlock;
    }

    private static double Monitored(GradientMonitor monitor, TrainingBatch batch)
    {
        long start = Stopwatch.GetTimestamp();
        for (int i = 0; i < StepsPerBlock; i++)
        {
            monitor.TrainStep(batch);
        }

        return Stopwatch.GetElapsedTime(start).TotalMilliseconds / StepsPerBlock;
    }
}
