using System.Globalization;
using GradDiag.Cli.Data;
using GradDiag.Cli.Engines;
using GradDiag.Cli.Infrastructure;
using GradDiag.Cli.Output;
using GradDiag.Detectors;
using GradDiag.Detectors.Reporting;
using GradDiag.OrtBackend.Artifacts;
using GradDiag.OrtBackend.Checkpoints;
using GradDiag.OrtBackend.Gradients;
using GradDiag.OrtBackend.Losses;
using GradDiag.OrtBackend.Models;
using GradDiag.OrtBackend.Optimizers;
using GradDiag.OrtBackend.Schedules;
using GradDiag.OrtBackend.Training;
using GradDiag.Writers.TensorBoard;
using OrtLossKind = GradDiag.OrtBackend.Losses.LossKind;
using OrtOptimizerKind = GradDiag.OrtBackend.Optimizers.OptimizerKind;

namespace GradDiag.Cli.Training;

/// <summary>
/// The engine behind <c>graddiag train</c>: builds training artifacts from the model, trains them on ONNX Runtime
/// through a <see cref="GradientMonitor"/> with a TensorBoard writer and the default detectors, and returns the report.
/// </summary>
internal sealed class OrtTrainer : ITrainer
{
    /// <summary>The file name pattern of checkpoints; the step is zero-padded, so name order is step order.</summary>
    public const string CheckpointPrefix = "step-";

    /// <summary>The report file written into the run folder at the end of training, also after Ctrl+C.</summary>
    public const string ReportFileName = "graddiag-report.json";

    /// <inheritdoc/>
    public async Task<RunReport> TrainAsync(TrainRequest request, ICliConsole console, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(console);
        TrainSettings settings = request.Settings;
        string modelPath = settings.ModelPath.FullName;
        OnnxModel forward = Guard(modelPath, () => OnnxModel.Load(modelPath));
        string inputName = ChooseInput(forward, settings);
        string prediction = forward.OutputNames.Count > 0
            ? forward.OutputNames[0]
            : throw new InputException($"Model '{modelPath}' has no graph output to attach the loss to.");
        var loss = new LossOptions { Kind = settings.Loss == Engines.LossKind.CrossEntropy ? OrtLossKind.CrossEntropy : OrtLossKind.MeanSquaredError };
        string labelName = settings.Loss == Engines.LossKind.CrossEntropy ? "labels" : "target";

        long stepsPerEpoch = request.Training.BatchCount(settings.BatchSize);
        long totalSteps = settings.Steps ?? ((settings.Epochs ?? 10) * stepsPerEpoch);
        OrtTrainingBackend backend = CreateBackend(settings, forward, prediction, loss, totalSteps, out string artifactsDirectory, out bool temporaryArtifacts);

        TensorBoardSummaryWriter writer;
        try
        {
            writer = new TensorBoardSummaryWriter(new TensorBoardWriterOptions { LogDirectory = settings.LogDirectory.FullName, RunName = settings.RunName });
        }
        catch (InvalidOperationException exception)
        {
            // Another live writer has the run folder open.
            backend.Dispose();
            throw new InputException($"{exception.Message} Choose another --run-name or wait for the other run to end.", exception);
        }

        writer.WriteHyperparameters(settings.ToHyperparameters());
        var options = new GradDiagOptions
        {
            StatisticsInterval = checked((int)settings.StatsEvery),
            HistogramInterval = checked((int)settings.HistogramEvery),
        };
        var monitor = new GradientMonitor(options, [writer], DefaultDetectors.Create(), backend);
        // A live progress bar is redrawn in place, so on a rich console finding lines wait until it ends;
        // meanwhile the bar's status counts them. Plain output prints each line on the step it opens.
        var heldBack = new List<string>();
        int opened = 0;
        monitor.FindingChanged += (_, change) =>
        {
            if (change.Kind != FindingEventKind.Opened)
            {
                return;
            }

            opened++;
            string line = string.Create(CultureInfo.InvariantCulture, $"finding at step {change.Step}: {change.Finding.Severity.ToString().ToLowerInvariant()} {change.Finding.Kind}: {change.Finding.Message}");
            if (console.IsRich)
            {
                heldBack.Add(line);
            }
            else
            {
                console.WriteLine(line);
            }
        };

        bool interrupted;
        try
        {
            interrupted = await console.RunWithProgressAsync($"training {settings.RunName}", Math.Max(1, totalSteps - backend.Step), progress =>
                Task.FromResult(RunLoop(request, settings, backend, monitor, writer, inputName, labelName, totalSteps, progress, () => opened, cancellationToken))).ConfigureAwait(false);
            foreach (string line in heldBack)
            {
                console.WriteLine(line);
            }

            if (settings.CheckpointDirectory is not null)
            {
                string path = SaveCheckpoint(backend, settings.CheckpointDirectory.FullName);
                console.WriteLine($"Saved checkpoint {path}.");
            }

            RunReport report = monitor.CreateReport(settings.RunName, interrupted);
            string reportPath = WriteReport(report, writer.RunDirectory);
            console.WriteLine($"Event files: {writer.RunDirectory} (view with: tensorboard --logdir {settings.LogDirectory.FullName}); report: {reportPath}.");
            return report;
        }
        finally
        {
            await monitor.DisposeAsync().ConfigureAwait(false);
            if (temporaryArtifacts)
            {
                TryDelete(artifactsDirectory);
            }
        }
    }

    /// <summary>Runs the steps; returns true when Ctrl+C stopped them before the last one.</summary>
    private static bool RunLoop(
        TrainRequest request,
        TrainSettings settings,
        OrtTrainingBackend backend,
        GradientMonitor monitor,
        TensorBoardSummaryWriter writer,
        string inputName,
        string labelName,
        long totalSteps,
        IProgressSink progress,
        Func<int> findingsOpened,
        CancellationToken cancellationToken)
    {
        long startStep = backend.Step;
        int stepsPerEpoch = request.Training.BatchCount(settings.BatchSize);
        int epoch = (int)(startStep / stepsPerEpoch);
        int skip = (int)(startStep % stepsPerEpoch);
        while (backend.Step < totalSteps)
        {
            foreach (Batch batch in request.Training.Batches(settings.BatchSize, settings.Shuffle, settings.Seed, epoch).Skip(skip))
            {
                if (cancellationToken.IsCancellationRequested)
                {
                    return true;
                }

                StepResult result = TrainStep(monitor, batch.ToTrainingBatch(inputName, labelName), settings, labelName);
                int findings = findingsOpened();
                string status = findings == 0
                    ? string.Create(CultureInfo.InvariantCulture, $"loss {result.Loss:G4}")
                    : string.Create(CultureInfo.InvariantCulture, $"loss {result.Loss:G4}, {findings} finding(s)");
                progress.Report(backend.Step - startStep, status);
                if (settings.CheckpointDirectory is not null && settings.CheckpointEvery > 0 && backend.Step % settings.CheckpointEvery == 0)
                {
                    SaveCheckpoint(backend, settings.CheckpointDirectory.FullName);
                }

                if (backend.Step >= totalSteps)
                {
                    break;
                }
            }

            skip = 0;
            epoch++;
            if (request.Validation is Dataset validation)
            {
                writer.WriteScalar("validation/loss", backend.Step, Evaluate(backend, validation, settings.BatchSize, inputName, labelName));
            }
        }

        return false;
    }

    /// <summary>Runs one step. A batch the model cannot take becomes an input error that names the fix.</summary>
    private static StepResult TrainStep(GradientMonitor monitor, TrainingBatch batch, TrainSettings settings, string labelName)
    {
        try
        {
            return monitor.TrainStep(batch);
        }
        catch (ArgumentException exception) when (exception.ParamName == "batch")
        {
            string reason = exception.Message.Replace(" (Parameter 'batch')", string.Empty, StringComparison.Ordinal);
            string hint = reason.Contains($"'{labelName}'", StringComparison.Ordinal)
                ? "With --loss mse the labels must be float targets shaped like the model output; with --loss cross-entropy they are class indices, one per row."
                : "Reshape each row with --sample-shape (for example 1,8,8), or choose the model input with --input-name.";
            throw new InputException($"Data '{settings.DataPath.FullName}' does not fit model '{settings.ModelPath.FullName}': {reason} {hint}", exception);
        }
    }

    private static double Evaluate(OrtTrainingBackend backend, Dataset validation, int batchSize, string inputName, string labelName)
    {
        double sum = 0;
        long rows = 0;
        foreach (Batch batch in validation.Batches(batchSize, shuffle: false, seed: 0, epoch: 0))
        {
            sum += backend.Evaluate(batch.ToTrainingBatch(inputName, labelName)) * batch.Count;
            rows += batch.Count;
        }

        return rows == 0 ? double.NaN : sum / rows;
    }

    private static OrtTrainingBackend CreateBackend(
        TrainSettings settings,
        OnnxModel forward,
        string prediction,
        LossOptions loss,
        long totalSteps,
        out string artifactsDirectory,
        out bool temporary)
    {
        string modelPath = settings.ModelPath.FullName;
        temporary = settings.CheckpointDirectory is null;
        artifactsDirectory = temporary
            ? Path.Combine(Path.GetTempPath(), "graddiag-artifacts-" + Guid.NewGuid().ToString("N"))
            : Path.Combine(settings.CheckpointDirectory!.FullName, "artifacts");
        var backendOptions = new OrtBackendOptions
        {
            ArtifactsDirectory = artifactsDirectory,
            SourceModelPath = modelPath,
            ExecutionProvider = settings.Device.IsCuda ? OrtExecutionProvider.Cuda : OrtExecutionProvider.Cpu,
            CudaDeviceId = settings.Device.Index,
            LearningRateSchedule = Schedule(settings, totalSteps),

            // The masks then depend on the seed and the step only, so --resume draws the masks of an uninterrupted run.
            DropoutSeed = settings.Seed,
        };

        if (settings.Resume)
        {
            string folder = settings.CheckpointDirectory!.FullName;
            backendOptions.CheckpointPath = LatestCheckpoint(folder)
                ?? throw new InputException($"Cannot resume: checkpoint folder '{folder}' has no {CheckpointPrefix}*.gdckpt file.");
            return Guard(modelPath, () => new OrtTrainingBackend(backendOptions));
        }

        var artifactOptions = new TrainingArtifactOptions { Optimizer = Optimizer(settings) };
        return Guard(modelPath, () => OrtTrainingBackend.Create(modelPath, prediction, loss, artifactOptions, backendOptions));
    }

    private static OptimizerOptions Optimizer(TrainSettings settings) => settings.Optimizer switch
    {
        Engines.OptimizerKind.Sgd => new OptimizerOptions { Kind = OrtOptimizerKind.Sgd, WeightDecay = settings.WeightDecay, MaxGradientNorm = settings.ClipNorm },
        Engines.OptimizerKind.Momentum => new OptimizerOptions { Kind = OrtOptimizerKind.Sgd, Momentum = settings.Momentum, WeightDecay = settings.WeightDecay, MaxGradientNorm = settings.ClipNorm },
        Engines.OptimizerKind.Adam => new OptimizerOptions { Kind = OrtOptimizerKind.Adam, WeightDecay = settings.WeightDecay, MaxGradientNorm = settings.ClipNorm },
        _ => new OptimizerOptions { Kind = OrtOptimizerKind.AdamW, WeightDecay = settings.WeightDecay, MaxGradientNorm = settings.ClipNorm },
    };

    private static ILearningRateSchedule Schedule(TrainSettings settings, long totalSteps)
    {
        ILearningRateSchedule after = settings.Schedule switch
        {
            LearningRateSchedule.Step => LearningRateSchedules.StepDecay(settings.LearningRate, settings.LearningRateStepSize, settings.LearningRateGamma),
            LearningRateSchedule.Cosine => LearningRateSchedules.Cosine(settings.LearningRate, Math.Max(1, totalSteps - settings.WarmupSteps)),
            _ => LearningRateSchedules.Constant(settings.LearningRate),
        };
        return settings.WarmupSteps > 0 ? LearningRateSchedules.Warmup(settings.WarmupSteps, after) : after;
    }

    private static string ChooseInput(OnnxModel model, TrainSettings settings)
    {
        if (settings.InputName is string name)
        {
            return model.InputNames.Contains(name, StringComparer.Ordinal)
                ? name
                : throw new UsageException($"Invalid --input-name '{name}': the model's inputs are {string.Join(", ", model.InputNames)}.");
        }

        return model.InputNames.Count == 1
            ? model.InputNames[0]
            : throw new UsageException($"Model '{settings.ModelPath.FullName}' has {model.InputNames.Count} inputs ({string.Join(", ", model.InputNames)}); choose the one the data feeds with --input-name.");
    }

    /// <summary>Writes the report as JSON into the run folder, through a temporary file, and returns its path.</summary>
    public static string WriteReport(RunReport report, string runDirectory)
    {
        ArgumentNullException.ThrowIfNull(report);
        Directory.CreateDirectory(runDirectory);
        string path = Path.Combine(runDirectory, ReportFileName);
        File.WriteAllText(path + ".tmp", JsonReportFormatter.Format(report));
        File.Move(path + ".tmp", path, overwrite: true);
        return path;
    }

    /// <summary>Writes a checkpoint named after the backend's step and returns its path.</summary>
    private static string SaveCheckpoint(OrtTrainingBackend backend, string folder)
    {
        Directory.CreateDirectory(folder);
        string path = Path.Combine(folder, string.Create(CultureInfo.InvariantCulture, $"{CheckpointPrefix}{backend.Step:D10}.gdckpt"));
        backend.SaveCheckpoint(path);
        return path;
    }

    /// <summary>Returns the checkpoint with the highest step in <paramref name="folder"/>, or null.</summary>
    public static string? LatestCheckpoint(string folder) =>
        Directory.Exists(folder)
            ? Directory.EnumerateFiles(folder, CheckpointPrefix + "*.gdckpt").Order(StringComparer.Ordinal).LastOrDefault()
            : null;

    /// <summary>Runs a step that reads or builds model files, turning the backend's model errors into input errors.</summary>
    private static T Guard<T>(string modelPath, Func<T> step)
    {
        try
        {
            return step();
        }
        catch (Exception exception) when (exception is OnnxModelException or GradientBuildException or ArtifactException or CheckpointException or ExecutionProviderException)
        {
            // A device error is about the machine, not the model, so it is not prefixed with the model's path.
            bool namesModel = exception is ExecutionProviderException || exception.Message.Contains(modelPath, StringComparison.Ordinal);
            string message = namesModel ? exception.Message : $"Model '{modelPath}': {exception.Message}";
            throw new InputException(message, exception);
        }
    }

    private static void TryDelete(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temporary folder is harmless.
        }
        catch (UnauthorizedAccessException)
        {
            // A leftover temporary folder is harmless.
        }
    }
}
