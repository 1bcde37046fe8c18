using System.CommandLine;

namespace GradDiag.Cli.Commands;

/// <summary>The options of <c>graddiag train</c>. Each long name without dashes is also a configuration-file key.</summary>
internal sealed class TrainOptions
{
    public Argument<FileInfo> Model { get; } = new("model.onnx") { Description = "The ONNX model, exported in training mode without constant folding." };

    public Option<FileInfo?> Config { get; } = new("--config") { Description = "A JSON file of options, keyed by long option name without dashes (\"batch-size\": 64); options on the command line win." };

    public Option<FileInfo?> Data { get; } = new("--data") { Description = "The training data: .npy (inputs, with --labels), .npz (arrays chosen with --inputs and --label) or .csv (header row, columns chosen by name)." };

    public Option<FileInfo?> Labels { get; } = new("--labels") { Description = "The .npy file of labels when --data is a .npy file of inputs." };

    public Option<string[]> Inputs { get; } = new("--inputs") { Description = "Input CSV columns (comma-separated, in order; default: every column except the label) or the .npz array of inputs (default: x).", AllowMultipleArgumentsPerToken = true };

    public Option<string?> Label { get; } = new("--label") { Description = "The CSV label column (default: label) or the .npz array of labels (default: y)." };

    public Option<string?> InputName { get; } = new("--input-name") { Description = "The model input the data feeds; default: the model's only input." };

    public Option<string?> SampleShape { get; } = new("--sample-shape") { Description = "Shape of one input row, comma-separated, for example 1,8,8 to feed 64 pixels to a convolution; default: the file's shape." };

    public Option<string> Loss { get; } = TrainOptionFactory.CreateLoss();

    public Option<string> Optimizer { get; } = TrainOptionFactory.CreateOptimizer();

    public Option<double> LearningRate { get; } = new("--lr") { Description = "Base learning rate (greater than 0).", DefaultValueFactory = _ => 0.01 };

    public Option<double> Momentum { get; } = new("--momentum") { Description = "Momentum factor of --optimizer momentum, in [0, 1).", DefaultValueFactory = _ => 0.9 };

    public Option<double> WeightDecay { get; } = new("--weight-decay") { Description = "Weight decay factor (0 or more; 0 disables it).", DefaultValueFactory = _ => 0.0 };

    public Option<double?> ClipNorm { get; } = new("--clip-norm") { Description = "Clip the global gradient L2 norm to this value before the update (greater than 0); statistics are taken before clipping." };

    public Option<string> Schedule { get; } = TrainOptionFactory.CreateSchedule();

    public Option<long> LearningRateStepSize { get; } = new("--lr-step-size") { Description = "Steps between learning-rate drops of --lr-schedule step (1 or more).", DefaultValueFactory = _ => 1000L };

    public Option<double> LearningRateGamma { get; } = new("--lr-gamma") { Description = "Factor of each drop of --lr-schedule step, in (0, 1].", DefaultValueFactory = _ => 0.1 };

    public Option<long> WarmupSteps { get; } = new("--warmup-steps") { Description = "Steps over which the learning rate rises linearly from 0 to --lr (0 or more).", DefaultValueFactory = _ => 0L };

    public Option<int> BatchSize { get; } = new("--batch-size", "-b") { Description = "Rows per batch (1 or more); the last batch of an epoch keeps the remaining rows.", DefaultValueFactory = _ => 32 };

    public Option<int?> Epochs { get; } = new("--epochs") { Description = "Passes over the training rows (1 or more; default 10). Cannot be combined with --steps." };

    public Option<long?> Steps { get; } = new("--steps") { Description = "Optimizer steps (batches) to run (1 or more). Cannot be combined with --epochs." };

    public Option<int> Seed { get; } = new("--seed") { Description = "Seed of the per-epoch shuffle, of the validation split and of the Dropout masks.", DefaultValueFactory = _ => 0 };

    public Option<bool> NoShuffle { get; } = new("--no-shuffle") { Description = "Keep the file's row order in every epoch." };

    public Option<double> ValidationSplit { get; } = new("--validation-split") { Description = "Fraction of rows held out for validation, in [0, 1); chosen with --seed.", DefaultValueFactory = _ => 0.0 };

    public Option<string> Device { get; } = SharedOptions.CreateDevice();

    public Option<long> StatsEvery { get; } = new("--stats-every") { Description = "Steps between gradient statistics records (1 or more).", DefaultValueFactory = _ => 1L };

    public Option<long> HistogramEvery { get; } = new("--histogram-every") { Description = "Steps between gradient histograms (0 disables them).", DefaultValueFactory = _ => 50L };

    public Option<DirectoryInfo> LogDirectory { get; } = new("--logdir") { Description = "Folder for TensorBoard event files; the run writes into <logdir>/<run-name>.", DefaultValueFactory = _ => new DirectoryInfo("runs") };

    public Option<string?> RunName { get; } = new("--run-name") { Description = "Name of the run folder; default: the model file name without extension." };

    public Option<DirectoryInfo?> CheckpointDirectory { get; } = new("--checkpoint-dir") { Description = "Folder for checkpoints (parameters, optimizer state, step), each written atomically." };

    public Option<long> CheckpointEvery { get; } = new("--checkpoint-every") { Description = "Steps between checkpoints (0: only at the end); needs --checkpoint-dir.", DefaultValueFactory = _ => 0L };

    public Option<bool> Resume { get; } = new("--resume") { Description = "Resume from the latest checkpoint in --checkpoint-dir." };

    public Option<string> FailOn { get; } = SharedOptions.CreateFailOn();

    /// <summary>Gets every option, in help order.</summary>
    public IReadOnlyList<Option> All =>
    [
        Config, Data, Labels, Inputs, Label, InputName, SampleShape, Loss, Optimizer, LearningRate, Momentum, WeightDecay, ClipNorm,
        Schedule, LearningRateStepSize, LearningRateGamma, WarmupSteps, BatchSize, Epochs, Steps, Seed, NoShuffle, ValidationSplit,
        Device, StatsEvery, HistogramEvery, LogDirectory, RunName, CheckpointDirectory, CheckpointEvery, Resume, FailOn,
    ];
}
