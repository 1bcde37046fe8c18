using System.CommandLine;
using System.Globalization;
using GradDiag.Cli.Configuration;
using GradDiag.Cli.Data;
using GradDiag.Cli.Engines;
using GradDiag.Cli.Infrastructure;
using GradDiag.Cli.Output;
using GradDiag.Cli.Reporting;

namespace GradDiag.Cli.Commands;

/// <summary><c>graddiag train &lt;model.onnx&gt;</c>: trains a user's model on their data with gradient monitoring.</summary>
internal static class TrainCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create(CliServices services)
    {
        var options = new TrainOptions();
        var command = new Command("train", "Train an ONNX model on .npy, .npz or CSV data with gradient monitoring; the exit code is 1 when a finding reaches --fail-on.")
        {
            options.Model,
        };
        foreach (Option option in options.All)
        {
            command.Options.Add(option);
        }

        CommandAction.Set(command, services, invocation => RunAsync(invocation, options));
        return command;
    }

    /// <summary>Returns the configuration-file keys train accepts: every long option name without dashes, except config.</summary>
    public static IReadOnlyCollection<string> ConfigKeys(TrainOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.All.Where(o => o != options.Config).Select(OptionValues.KeyOf).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>Merges the command line over the configuration file and the defaults, and checks every value and pair.</summary>
    /// <exception cref="UsageException">A value is out of range, a required value is missing, or two options conflict.</exception>
    public static TrainSettings BuildSettings(ParseResult parseResult, TrainOptions options)
    {
        ArgumentNullException.ThrowIfNull(parseResult);
        ArgumentNullException.ThrowIfNull(options);
        FileInfo? configPath = parseResult.GetValue(options.Config);
        ConfigFile? config = configPath is null ? null : ConfigFile.Load(configPath, ConfigKeys(options));
        var values = new OptionValues(parseResult, config);

        values.RequireAtMostOne(options.Epochs, options.Steps);
        FileInfo model = parseResult.GetValue(options.Model)!;
        FileInfo data = values.Get(options.Data) ?? throw new UsageException("Option --data is required (or 'data' in the --config file): the .npy, .npz or .csv file to train on.");
        LossKind loss = TrainOptionFactory.ParseLoss(values.Get(options.Loss));
        OptimizerKind optimizer = TrainOptionFactory.ParseOptimizer(values.Get(options.Optimizer));
        LearningRateSchedule schedule = TrainOptionFactory.ParseSchedule(values.Get(options.Schedule));

        Require(optimizer == OptimizerKind.Momentum || !values.IsSet(options.Momentum), "Option --momentum applies only to --optimizer momentum.");
        Require(schedule == LearningRateSchedule.Step || !(values.IsSet(options.LearningRateStepSize) || values.IsSet(options.LearningRateGamma)),
            "Options --lr-step-size and --lr-gamma apply only to --lr-schedule step.");
        DirectoryInfo? checkpoints = values.Get(options.CheckpointDirectory);
        Require(checkpoints is not null || !values.IsSet(options.Resume) || !values.Get(options.Resume), "Option --resume needs --checkpoint-dir, the folder to resume from.");
        Require(checkpoints is not null || !values.IsSet(options.CheckpointEvery), "Option --checkpoint-every needs --checkpoint-dir, the folder to write to.");

        var settings = new TrainSettings
        {
            ModelPath = model,
            ConfigPath = configPath,
            DataPath = data,
            LabelsPath = values.Get(options.Labels),
            Inputs = SharedOptions.SplitList(values.Get(options.Inputs), []),
            Label = values.Get(options.Label),
            InputName = values.Get(options.InputName),
            SampleShape = ParseShape(values.Get(options.SampleShape)),
            Loss = loss,
            Optimizer = optimizer,
            LearningRate = values.Get(options.LearningRate),
            Momentum = values.Get(options.Momentum),
            WeightDecay = values.Get(options.WeightDecay),
            ClipNorm = values.Get(options.ClipNorm),
            Schedule = schedule,
            LearningRateStepSize = values.Get(options.LearningRateStepSize),
            LearningRateGamma = values.Get(options.LearningRateGamma),
            WarmupSteps = values.Get(options.WarmupSteps),
            BatchSize = values.Get(options.BatchSize),
            Epochs = values.Get(options.Steps) is null ? values.Get(options.Epochs) ?? 10 : null,
            Steps = values.Get(options.Steps),
            Seed = values.Get(options.Seed),
            Shuffle = !values.Get(options.NoShuffle),
            ValidationSplit = values.Get(options.ValidationSplit),
            Device = DeviceSpec.Parse(values.Get(options.Device), "--device"),
            StatsEvery = values.Get(options.StatsEvery),
            HistogramEvery = values.Get(options.HistogramEvery),
            LogDirectory = values.Get(options.LogDirectory),
            RunName = values.Get(options.RunName) ?? Path.GetFileNameWithoutExtension(model.Name),
            CheckpointDirectory = checkpoints,
            CheckpointEvery = values.Get(options.CheckpointEvery),
            Resume = values.Get(options.Resume),
            FailOn = FailOnThreshold.Parse(values.Get(options.FailOn)),
        };

        CheckRanges(settings);
        return settings;
    }

    private static async Task<int> RunAsync(CommandInvocation invocation, TrainOptions options)
    {
        TrainSettings settings = BuildSettings(invocation.ParseResult, options);
        ModelFile.RequireReadable(settings.ModelPath);
        ICliConsole console = invocation.Console;

        (Dataset data, IReadOnlyDictionary<string, long> nanCounts) = DatasetLoader.Load(settings);
        foreach ((string column, long count) in nanCounts)
        {
            console.WriteWarning(string.Create(CultureInfo.InvariantCulture, $"{settings.DataPath.Name}: {count} NaN input values in '{column}'; they reach the model as NaN."));
        }

        (Dataset training, Dataset? validation) = data.Split(settings.ValidationSplit, settings.Seed);
        console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Loaded {data.Count} rows from {settings.DataPath.Name}: inputs [{string.Join(", ", data.InputShape)}] per row, {training.Count} for training, {validation?.Count ?? 0} for validation."));
        console.WriteTable(ConfigurationTable(settings));

        ITrainer trainer = invocation.Services.Engines.Trainer
            ?? throw new EngineNotAvailableException("train", "the ONNX Runtime training backend (GradDiag.OrtBackend) and the monitor (GradDiag)");
        RunReport report = await trainer.TrainAsync(new TrainRequest(settings, training, validation), console, invocation.CancellationToken).ConfigureAwait(false);
        TextReportWriter.Write([report], console);
        return report.Interrupted ? ExitCodes.Interrupted : settings.FailOn.ExitCodeFor([report]);
    }

    private static TableContent ConfigurationTable(TrainSettings settings)
    {
        List<IReadOnlyList<string>> rows = settings.ToHyperparameters()
            .Select(pair => (IReadOnlyList<string>)[pair.Key, FormatValue(pair.Value)])
            .ToList();
        return new TableContent("Effective configuration (recorded as hyperparameters)", ["option", "value"], rows);
    }

    private static string FormatValue(object value)
    {
        if (value is bool flag)
        {
            return flag ? "true" : "false";
        }

        return Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty;
    }

    private static void CheckRanges(TrainSettings s)
    {
        Require(s.LearningRate > 0 && double.IsFinite(s.LearningRate), $"Invalid --lr {Format(s.LearningRate)}: it must be a finite number greater than 0.");
        Require(s.Momentum is >= 0 and < 1, $"Invalid --momentum {Format(s.Momentum)}: it must be in [0, 1).");
        Require(s.WeightDecay >= 0 && double.IsFinite(s.WeightDecay), $"Invalid --weight-decay {Format(s.WeightDecay)}: it must be 0 or more.");
        Require(s.ClipNorm is null || (s.ClipNorm > 0 && double.IsFinite(s.ClipNorm.Value)), $"Invalid --clip-norm {Format(s.ClipNorm ?? 0)}: it must be greater than 0.");
        Require(s.LearningRateStepSize >= 1, $"Invalid --lr-step-size {s.LearningRateStepSize}: it must be 1 or more steps.");
        Require(s.LearningRateGamma is > 0 and <= 1, $"Invalid --lr-gamma {Format(s.LearningRateGamma)}: it must be in (0, 1].");
        Require(s.WarmupSteps >= 0, $"Invalid --warmup-steps {s.WarmupSteps}: it must be 0 or more.");
        Require(s.BatchSize >= 1, $"Invalid --batch-size {s.BatchSize}: it must be 1 or more rows.");
        Require(s.Epochs is null or >= 1, $"Invalid --epochs {s.Epochs}: it must be 1 or more.");
        Require(s.Steps is null or >= 1, $"Invalid --steps {s.Steps}: it must be 1 or more.");
        Require(s.ValidationSplit is >= 0 and < 1, $"Invalid --validation-split {Format(s.ValidationSplit)}: it must be in [0, 1).");
        Require(s.StatsEvery >= 1, $"Invalid --stats-every {s.StatsEvery}: it must be 1 or more steps.");
        Require(s.HistogramEvery >= 0, $"Invalid --histogram-every {s.HistogramEvery}: it must be 0 (off) or more steps.");
        Require(s.CheckpointEvery >= 0, $"Invalid --checkpoint-every {s.CheckpointEvery}: it must be 0 (end only) or more steps.");
        Require(!string.IsNullOrWhiteSpace(s.RunName) && s.RunName.IndexOfAny(Path.GetInvalidFileNameChars()) < 0 && s.RunName is not ("." or ".."),
            $"Invalid --run-name '{s.RunName}': it must be a plain folder name.");
    }

    private static long[]? ParseShape(string? text)
    {
        if (text is null)
        {
            return null;
        }

        string[] parts = text.Split(',', StringSplitOptions.TrimEntries);
        var shape = new long[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            if (!long.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out shape[i]) || shape[i] == 0)
            {
                throw new UsageException($"Invalid --sample-shape '{text}': expected positive integers separated by commas, for example 1,8,8.");
            }
        }

        return shape;
    }

    private static void Require(bool condition, string message)
    {
        if (!condition)
        {
            throw new UsageException(message);
        }
    }

    private static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
