using GradDiag.Cli.Engines;
using GradDiag.Cli.Infrastructure;

namespace GradDiag.Cli.Tests;

public class ConfigFileTests
{
    private static string WriteConfig(string json)
    {
        string path = Path.Combine(TestPaths.NewTempFolder(), "train.json");
        File.WriteAllText(path, json);
        return path;
    }

    private static async Task<(CliResult Result, TrainSettings? Settings)> TrainAsync(params string[] args)
    {
        var trainer = new RecordingTrainer();
        CliResult result = await CliHarness.RunAsync(new CliEngines { Trainer = trainer }, ["train", TestPaths.DigitsMlp, .. args]);
        return (result, trainer.Request?.Settings);
    }

    [Fact]
    public async Task Values_MergedFromFile()
    {
        string config = WriteConfig($$"""{ "data": "{{TestPaths.DigitsNpz}}", "batch-size": 64, "optimizer": "adam", "steps": 20 }""");

        (CliResult result, TrainSettings? settings) = await TrainAsync("--config", config);

        result.ExitCode.Should().Be(0, result.Error);
        settings!.BatchSize.Should().Be(64);
        settings.Optimizer.Should().Be(OptimizerKind.Adam);
        settings.Steps.Should().Be(20);
        settings.Epochs.Should().BeNull();
    }

    [Fact]
    public async Task CommandLine_WinsOverFile()
    {
        string config = WriteConfig($$"""{ "data": "{{TestPaths.DigitsNpz}}", "batch-size": 64, "lr": 0.5 }""");

        (_, TrainSettings? settings) = await TrainAsync("--config", config, "--batch-size", "8");

        settings!.BatchSize.Should().Be(8);
        settings.LearningRate.Should().Be(0.5);
    }

    [Fact]
    public async Task CommandLineSteps_OverridesFileEpochs()
    {
        string config = WriteConfig($$"""{ "data": "{{TestPaths.DigitsNpz}}", "epochs": 3 }""");

        (CliResult result, TrainSettings? settings) = await TrainAsync("--config", config, "--steps", "5");

        result.ExitCode.Should().Be(0, result.Error);
        settings!.Steps.Should().Be(5);
        settings.Epochs.Should().BeNull();
    }

    [Fact]
    public async Task RelativePath_ResolvedFromFileFolder()
    {
        string config = WriteConfig("""{ "data": "digits.npz" }""");
        File.Copy(TestPaths.DigitsNpz, Path.Combine(Path.GetDirectoryName(config)!, "digits.npz"));

        (CliResult result, TrainSettings? settings) = await TrainAsync("--config", config);

        result.ExitCode.Should().Be(0, result.Error);
        settings!.DataPath.FullName.Should().Be(Path.Combine(Path.GetDirectoryName(config)!, "digits.npz"));
    }

    [Fact]
    public async Task UnknownKey_Named()
    {
        string config = WriteConfig("""{ "batchsize": 64 }""");

        (CliResult result, _) = await TrainAsync("--config", config);

        result.ExitCode.Should().Be(ExitCodes.UsageOrInput);
        result.ErrorLines.Should().ContainSingle().Which.Should().Contain("unknown key 'batchsize'").And.Contain("batch-size");
    }

    [Fact]
    public async Task BothEpochsAndSteps_InFileRejected()
    {
        string config = WriteConfig($$"""{ "data": "{{TestPaths.DigitsNpz}}", "epochs": 3, "steps": 5 }""");

        (CliResult result, _) = await TrainAsync("--config", config);

        result.ExitCode.Should().Be(ExitCodes.UsageOrInput);
        result.Error.Should().Contain("'epochs'").And.Contain("'steps'");
    }

    [Fact]
    public async Task WrongType_NamesKey()
    {
        string config = WriteConfig($$"""{ "data": "{{TestPaths.DigitsNpz}}", "lr": "fast" }""");

        (CliResult result, _) = await TrainAsync("--config", config);

        result.ExitCode.Should().Be(ExitCodes.UsageOrInput);
        result.Error.Should().Contain("key 'lr'").And.Contain("the string \"fast\"");
    }

    [Fact]
    public async Task InvalidJson_NamesLine()
    {
        string config = WriteConfig("{\n  \"lr\": 0.1,\n  oops\n}");

        (CliResult result, _) = await TrainAsync("--config", config);

        result.ExitCode.Should().Be(ExitCodes.UsageOrInput);
        result.Error.Should().Contain("not valid JSON at line 3");
    }

    [Fact]
    public async Task RangeChecked_AfterMerge()
    {
        string config = WriteConfig($$"""{ "data": "{{TestPaths.DigitsNpz}}", "batch-size": 0 }""");

        (CliResult result, _) = await TrainAsync("--config", config);

        result.ExitCode.Should().Be(ExitCodes.UsageOrInput);
        result.Error.Should().Contain("--batch-size 0");
    }

    [Fact]
    public async Task Hyperparameters_RecordEffectiveValues()
    {
        (_, TrainSettings? settings) = await TrainAsync("--data", TestPaths.DigitsNpz, "--optimizer", "momentum", "--momentum", "0.5", "--steps", "7");

        IReadOnlyDictionary<string, object> values = settings!.ToHyperparameters();
        values["optimizer"].Should().Be("momentum");
        values["momentum"].Should().Be(0.5);
        values["steps"].Should().Be(7L);
        values.Should().NotContainKey("epochs");
    }

    [Fact]
    public async Task MissingLabelColumn_ExitsTwo()
    {
        (CliResult result, _) = await TrainAsync("--data", TestPaths.DigitsCsv, "--label", "digit");

        result.ExitCode.Should().Be(ExitCodes.UsageOrInput);
        result.ErrorLines.Should().ContainSingle().Which.Should().Contain("label column 'digit' was not found");
    }

    [Fact]
    public async Task ValidationSplit_GivesBothSets()
    {
        var trainer = new RecordingTrainer();

        await CliHarness.RunAsync(new CliEngines { Trainer = trainer }, "train", TestPaths.DigitsMlp, "--data", TestPaths.DigitsCsv, "--validation-split", "0.25");

        trainer.Request!.Training.Count.Should().Be(1348);
        trainer.Request.Validation!.Count.Should().Be(449);
    }
}
