using System.Diagnostics;
using System.Globalization;
using GradDiag.Detectors;
using GradDiag.OrtBackend.Artifacts;
using GradDiag.OrtBackend.Losses;
using GradDiag.OrtBackend.Optimizers;
using GradDiag.OrtBackend.Training;
using GradDiag.Writers.TensorBoard;

namespace GradDiag.Benchmarks.OrtBackend;

/// <summary>
/// Trains digits_mlp for thousands of monitored steps (TensorBoard writer, default detectors, histograms every
/// 50 steps) and prints managed and native memory at intervals, to show that a long run does not grow.
/// </summary>
/// <remarks>Run with <c>dotnet run -c Release --project benchmarks/GradDiag.Benchmarks -- soak [steps]</c>.</remarks>
internal static class SoakRun
{
    public static int Run(string[] args)
    {
        long steps = args.Length > 1 ? long.Parse(args[1], CultureInfo.InvariantCulture) : 5000;
        string directory = Directory.CreateTempSubdirectory("graddiag-soak-").FullName;
        try
        {
            string source = Path.Combine(directory, "digits_mlp.onnx");
            File.Copy(BackendStepBenchmarks.FixturePath("digits_mlp.onnx"), source);
            using OrtTrainingBackend backend = OrtTrainingBackend.Create(
                source,
                "output",
                new LossOptions { Kind = LossKind.CrossEntropy },
                new TrainingArtifactOptions { Optimizer = new OptimizerOptions { Kind = OptimizerKind.Adam } },
                new OrtBackendOptions { ArtifactsDirectory = Path.Combine(directory, "artifacts"), IntraOpThreads = 2, LearningRate = 1e-3 });
            var writer = new TensorBoardSummaryWriter(new TensorBoardWriterOptions { LogDirectory = Path.Combine(directory, "runs"), RunName = "soak" });
            using var monitor = new GradientMonitor(new GradDiagOptions { HistogramInterval = 50 }, [writer], DefaultDetectors.Create(), backend);

            var random = new Random(11);
            var input = new float[64 * 64];
            var labels = new long[64];
            var batch = new TrainingBatch().Add("input", input, 64, 64).Add("labels", labels, 64);
            using var process = Process.GetCurrentProcess();
            Console.WriteLine("step,managed_bytes,private_bytes,working_set_bytes");
            for (long step = 0; step < steps; step++)
            {
                for (int i = 0; i < input.Length; i++)
                {
                    input[i] = (float)random.NextDouble();
                }

                for (int i = 0; i < labels.Length; i++)
                {
                    labels[i] = random.Next(10);
                }

                monitor.TrainStep(batch);
                if ((step + 1) % 500 == 0)
                {
                    process.Refresh();
                    long managed = GC.GetTotalMemory(forceFullCollection: true);
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{step + 1},{managed},{process.PrivateMemorySize64},{process.WorkingSet64}"));
                }
            }

            return 0;
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
