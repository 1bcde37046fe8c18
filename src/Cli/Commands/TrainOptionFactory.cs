using System.CommandLine;
using GradDiag.Cli.Engines;
using GradDiag.Cli.Infrastructure;

namespace GradDiag.Cli.Commands;

/// <summary>The --loss, --optimizer and --lr-schedule options and their name-to-value mapping.</summary>
internal static class TrainOptionFactory
{
    private static readonly string[] LossNames = ["cross-entropy", "mse"];
    private static readonly string[] OptimizerNames = ["sgd", "momentum", "adam", "adamw"];
    private static readonly string[] ScheduleNames = ["constant", "step", "cosine"];

    /// <summary>Creates --loss.</summary>
    public static Option<string> CreateLoss()
    {
        var option = new Option<string>("--loss")
        {
            Description = "Loss on the model output: cross-entropy (softmax over axis 1, integer class labels) or mse (float targets shaped like the output); mean over the batch.",
            DefaultValueFactory = _ => "cross-entropy",
        };
        option.AcceptOnlyFromAmong(LossNames);
        return option;
    }

    /// <summary>Creates --optimizer.</summary>
    public static Option<string> CreateOptimizer()
    {
        var option = new Option<string>("--optimizer")
        {
            Description = "Optimizer: sgd, momentum (SGD with --momentum), adam or adamw.",
            DefaultValueFactory = _ => "sgd",
        };
        option.AcceptOnlyFromAmong(OptimizerNames);
        return option;
    }

    /// <summary>Creates --lr-schedule.</summary>
    public static Option<string> CreateSchedule()
    {
        var option = new Option<string>("--lr-schedule")
        {
            Description = "Learning-rate schedule after warm-up: constant, step (times --lr-gamma every --lr-step-size steps) or cosine (down to 0 at the last step).",
            DefaultValueFactory = _ => "constant",
        };
        option.AcceptOnlyFromAmong(ScheduleNames);
        return option;
    }

    /// <summary>Maps a --loss name to its value.</summary>
    public static LossKind ParseLoss(string name) => name.ToLowerInvariant() switch
    {
        "cross-entropy" => LossKind.CrossEntropy,
        "mse" => LossKind.MeanSquaredError,
        _ => throw Invalid("loss", name, LossNames),
    };

    /// <summary>Maps an --optimizer name to its value.</summary>
    public static OptimizerKind ParseOptimizer(string name) => name.ToLowerInvariant() switch
    {
        "sgd" => OptimizerKind.Sgd,
        "momentum" => OptimizerKind.Momentum,
        "adam" => OptimizerKind.Adam,
        "adamw" => OptimizerKind.AdamW,
        _ => throw Invalid("optimizer", name, OptimizerNames),
    };

    /// <summary>Maps an --lr-schedule name to its value.</summary>
    public static LearningRateSchedule ParseSchedule(string name) => name.ToLowerInvariant() switch
    {
        "constant" => LearningRateSchedule.Constant,
        "step" => LearningRateSchedule.Step,
        "cosine" => LearningRateSchedule.Cosine,
        _ => throw Invalid("lr-schedule", name, ScheduleNames),
    };

    private static UsageException Invalid(string option, string value, string[] names) =>
        new($"Invalid --{option} '{value}': expected one of {string.Join(", ", names)}.");
}
