using System.Globalization;

namespace GradDiag.Cli.Engines;

/// <summary>
/// The effective settings of <c>graddiag train</c>: command-line options merged over the configuration file over
/// the defaults, validated. Step counts are optimizer steps; one step is one batch.
/// </summary>
internal sealed record TrainSettings
{
    /// <summary>Gets the ONNX model exported in training mode.</summary>
    public required FileInfo ModelPath { get; init; }

    /// <summary>Gets the configuration file the settings were merged from, or null.</summary>
    public FileInfo? ConfigPath { get; init; }

    /// <summary>Gets the data file: .npy, .npz or .csv.</summary>
    public required FileInfo DataPath { get; init; }

    /// <summary>Gets the .npy file of labels when <see cref="DataPath"/> is a .npy file of inputs.</summary>
    public FileInfo? LabelsPath { get; init; }

    /// <summary>Gets the CSV columns or NPZ array that contain the inputs, or empty for the format's default.</summary>
    public IReadOnlyList<string> Inputs { get; init; } = [];

    /// <summary>Gets the CSV column or NPZ array that contains the labels, or null for the format's default.</summary>
    public string? Label { get; init; }

    /// <summary>Gets the model input the data feeds, or null for the model's only input.</summary>
    public string? InputName { get; init; }

    /// <summary>Gets the shape of one sample, for example [1, 8, 8], or null to keep the file's shape.</summary>
    public IReadOnlyList<long>? SampleShape { get; init; }

    /// <summary>Gets the loss.</summary>
    public LossKind Loss { get; init; } = LossKind.CrossEntropy;

    /// <summary>Gets the optimizer.</summary>
    public OptimizerKind Optimizer { get; init; } = OptimizerKind.Sgd;

    /// <summary>Gets the base learning rate.</summary>
    public double LearningRate { get; init; } = 0.01;

    /// <summary>Gets the momentum factor of <see cref="OptimizerKind.Momentum"/>.</summary>
    public double Momentum { get; init; } = 0.9;

    /// <summary>Gets the weight decay factor; 0 disables it.</summary>
    public double WeightDecay { get; init; }

    /// <summary>Gets the maximum global gradient norm after clipping, or null for no clipping.</summary>
    public double? ClipNorm { get; init; }

    /// <summary>Gets the learning-rate schedule.</summary>
    public LearningRateSchedule Schedule { get; init; } = LearningRateSchedule.Constant;

    /// <summary>Gets the number of steps between learning-rate drops of the step schedule.</summary>
    public long LearningRateStepSize { get; init; } = 1000;

    /// <summary>Gets the factor of each learning-rate drop of the step schedule.</summary>
    public double LearningRateGamma { get; init; } = 0.1;

    /// <summary>Gets the number of steps over which the learning rate rises linearly from 0 to --lr.</summary>
    public long WarmupSteps { get; init; }

    /// <summary>Gets the number of rows per batch; the last batch of an epoch may be smaller.</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>Gets the number of epochs, or null when <see cref="Steps"/> bounds the run.</summary>
    public int? Epochs { get; init; }

    /// <summary>Gets the number of steps, or null when <see cref="Epochs"/> bounds the run.</summary>
    public long? Steps { get; init; }

    /// <summary>Gets the seed of the shuffle and of the validation split.</summary>
    public int Seed { get; init; }

    /// <summary>Gets a value indicating whether rows are shuffled every epoch.</summary>
    public bool Shuffle { get; init; } = true;

    /// <summary>Gets the fraction of rows held out for validation, in [0, 1).</summary>
    public double ValidationSplit { get; init; }

    /// <summary>Gets the device.</summary>
    public DeviceSpec Device { get; init; } = DeviceSpec.Cpu;

    /// <summary>Gets the number of steps between gradient statistics records.</summary>
    public long StatsEvery { get; init; } = 1;

    /// <summary>Gets the number of steps between gradient histograms; 0 disables them.</summary>
    public long HistogramEvery { get; init; } = 100;

    /// <summary>Gets the log folder; the run writes its event files into a subfolder named <see cref="RunName"/>.</summary>
    public required DirectoryInfo LogDirectory { get; init; }

    /// <summary>Gets the run's name.</summary>
    public required string RunName { get; init; }

    /// <summary>Gets the checkpoint folder, or null to write no checkpoints.</summary>
    public DirectoryInfo? CheckpointDirectory { get; init; }

    /// <summary>Gets the number of steps between checkpoints; 0 writes one at the end only.</summary>
    public long CheckpointEvery { get; init; }

    /// <summary>Gets a value indicating whether training resumes from the latest checkpoint in <see cref="CheckpointDirectory"/>.</summary>
    public bool Resume { get; init; }

    /// <summary>Gets the severity that makes the command exit with 1.</summary>
    public FailOnThreshold FailOn { get; init; } = new(Severity.Error);

    /// <summary>
    /// Returns the settings as hyperparameters for <see cref="ISummaryWriter.WriteHyperparameters"/>, keyed by the
    /// option names without dashes (the same keys the configuration file uses). Values are strings, doubles, longs
    /// or booleans; unset optional values are left out.
    /// </summary>
    public IReadOnlyDictionary<string, object> ToHyperparameters()
    {
        var values = new SortedDictionary<string, object>(StringComparer.Ordinal)
        {
            ["model"] = ModelPath.FullName,
            ["data"] = DataPath.FullName,
            ["loss"] = NameOf(Loss),
            ["optimizer"] = NameOf(Optimizer),
            ["lr"] = LearningRate,
            ["weight-decay"] = WeightDecay,
            ["lr-schedule"] = NameOf(Schedule),
            ["warmup-steps"] = WarmupSteps,
            ["batch-size"] = (long)BatchSize,
            ["seed"] = (long)Seed,
            ["shuffle"] = Shuffle,
            ["validation-split"] = ValidationSplit,
            ["device"] = Device.ToString(),
            ["stats-every"] = StatsEvery,
            ["histogram-every"] = HistogramEvery,
            ["logdir"] = LogDirectory.FullName,
            ["run-name"] = RunName,
            ["fail-on"] = FailOn.ToString(),
        };

        AddIfSet(values, "config", ConfigPath?.FullName);
        AddIfSet(values, "labels", LabelsPath?.FullName);
        AddIfSet(values, "inputs", Inputs.Count == 0 ? null : string.Join(',', Inputs));
        AddIfSet(values, "label", Label);
        AddIfSet(values, "input-name", InputName);
        AddIfSet(values, "sample-shape", SampleShape is null ? null : string.Join(',', SampleShape.Select(d => d.ToString(CultureInfo.InvariantCulture))));
        AddIfSet(values, "clip-norm", ClipNorm);
        AddIfSet(values, "epochs", Epochs is int epochs ? (long)epochs : null);
        AddIfSet(values, "steps", Steps);
        if (Optimizer == OptimizerKind.Momentum)
        {
            values["momentum"] = Momentum;
        }

        if (Schedule == LearningRateSchedule.Step)
        {
            values["lr-step-size"] = LearningRateStepSize;
            values["lr-gamma"] = LearningRateGamma;
        }

        if (CheckpointDirectory is not null)
        {
            values["checkpoint-dir"] = CheckpointDirectory.FullName;
            values["checkpoint-every"] = CheckpointEvery;
            values["resume"] = Resume;
        }

        return values;
    }

    /// <summary>Returns the command-line name of a loss.</summary>
    public static string NameOf(LossKind loss) => loss == LossKind.CrossEntropy ? "cross-entropy" : "mse";

    /// <summary>Returns the command-line name of an optimizer.</summary>
    public static string NameOf(OptimizerKind optimizer) => optimizer.ToString().ToLowerInvariant();

    /// <summary>Returns the command-line name of a schedule.</summary>
    public static string NameOf(LearningRateSchedule schedule) => schedule.ToString().ToLowerInvariant();

    private static void AddIfSet(SortedDictionary<string, object> values, string key, object? value)
    {
        if (value is not null)
        {
            values[key] = value;
        }
    }
}
