using System.Runtime.InteropServices;
using System.Text.Json;
using GradDiag.OrtBackend.Artifacts;
using GradDiag.OrtBackend.Checkpoints;
using GradDiag.OrtBackend.Models;
using GradDiag.OrtBackend.Optimizers;
using GradDiag.OrtBackend.Statistics;
using GradDiag.OrtBackend.Tests.Support;

namespace GradDiag.OrtBackend.Tests.Artifacts;

public sealed class TrainingArtifactBuilderTests : IDisposable
{
    private static readonly string[] MlpParameters = ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias", "fc3.weight", "fc3.bias"];
    private readonly string directory = Directory.CreateTempSubdirectory("graddiag-artifacts-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    [Fact]
    public void Artifacts_write_manifest_fields()
    {
        var (source, manifestPath) = BuildMlp(new TrainingArtifactOptions { Optimizer = new OptimizerOptions { Kind = OptimizerKind.Sgd, Momentum = 0.9, MaxGradientNorm = 1.0 } });

        using var json = JsonDocument.Parse(File.ReadAllBytes(manifestPath));
        var root = json.RootElement;
        root.GetProperty("schema_version").GetInt32().Should().Be(1);
        root.GetProperty("graddiag_version").GetString().Should().NotBeNullOrEmpty();
        root.GetProperty("source_model").GetProperty("file_name").GetString().Should().Be("mlp.onnx");
        root.GetProperty("source_model").GetProperty("sha256").GetString().Should().Be(Convert.ToHexStringLower(TrainingArtifactBuilder.HashFile(source)));
        root.GetProperty("opset").GetInt64().Should().Be(13);
        root.GetProperty("loss").GetProperty("kind").GetString().Should().Be("mse");
        root.GetProperty("trainable_parameters").EnumerateArray().Select(p => p.GetProperty("name").GetString()).Should().Equal(MlpParameters);
        root.GetProperty("trainable_parameters")[0].GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()).Should().Equal(16, 5);
        root.GetProperty("trainable_parameters")[0].GetProperty("element_type").GetString().Should().Be("FLOAT");
        root.GetProperty("optimizer").GetProperty("kind").GetString().Should().Be("sgd");
        root.GetProperty("optimizer").GetProperty("max_gradient_norm").GetDouble().Should().Be(1.0);
        root.GetProperty("models").GetProperty("optimizer").GetProperty("inputs")[0].GetString().Should().Be("learning_rate");
        root.GetProperty("models").GetProperty("training").GetProperty("outputs").EnumerateArray().Select(o => o.GetString()).Should().Contain("fc1.weight_grad");
        root.GetProperty("models").GetProperty("eval").GetProperty("outputs").EnumerateArray().Select(o => o.GetString()).Should().NotContain("fc1.weight_grad");
        root.GetProperty("checkpoint_file").GetString().Should().Be("checkpoint.gdckpt");
    }

    [Fact]
    public void Artifacts_training_model_matches_reference()
    {
        var (source, _) = BuildMlp(new TrainingArtifactOptions());
        var artifacts = TrainingArtifacts.Open(directory, source);
        var checkpoint = artifacts.LoadCheckpoint();
        using var reference = JsonDocument.Parse(File.ReadAllBytes(FixturePaths.Onnx("mlp.reference.json")));
        var feeds = ParameterFeeds(checkpoint);
        feeds["input"] = ReadTensor(reference.RootElement.GetProperty("input"));
        feeds["target"] = ReadTensor(reference.RootElement.GetProperty("labels"));

        var outputs = OrtRunner.Run(OnnxModel.Load(artifacts.TrainingModelPath), feeds);

        var expectedLoss = reference.RootElement.GetProperty("loss_value").GetDouble();
        ((double)outputs["loss"][0]).Should().BeApproximately(expectedLoss, 1e-5 * expectedLoss);
        var expectedGradient = reference.RootElement.GetProperty("gradients").GetProperty("fc1.weight").GetProperty("data").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        var scale = expectedGradient.Max(Math.Abs);
        for (var i = 0; i < expectedGradient.Length; i++)
        {
            ((double)outputs["fc1.weight_grad"][i]).Should().BeApproximately(expectedGradient[i], 1e-5 * scale, $"fc1.weight_grad[{i}]");
        }

        var evalOutputs = OrtRunner.Run(OnnxModel.Load(artifacts.EvalModelPath), feeds);
        evalOutputs["loss"][0].Should().Be(outputs["loss"][0]);
    }

    [Fact]
    public void Artifacts_models_chain_in_onnx_runtime()
    {
        var (source, _) = BuildMlp(new TrainingArtifactOptions { Optimizer = new OptimizerOptions { Kind = OptimizerKind.AdamW } });
        var artifacts = TrainingArtifacts.Open(directory, source);
        var checkpoint = artifacts.LoadCheckpoint();
        using var reference = JsonDocument.Parse(File.ReadAllBytes(FixturePaths.Onnx("mlp.reference.json")));
        var feeds = ParameterFeeds(checkpoint);
        feeds["input"] = ReadTensor(reference.RootElement.GetProperty("input"));
        feeds["target"] = ReadTensor(reference.RootElement.GetProperty("labels"));
        var training = OrtRunner.Run(OnnxModel.Load(artifacts.TrainingModelPath), feeds);

        var statisticsFeeds = new Dictionary<string, (float[], long[])>();
        var optimizerFeeds = new Dictionary<string, (float[], long[])> { ["learning_rate"] = ([0.01f], []) };
        foreach (var name in MlpParameters)
        {
            statisticsFeeds[name] = feeds[name];
            statisticsFeeds[name + "_grad"] = (training[name + "_grad"], feeds[name].Dims);
            optimizerFeeds[name] = feeds[name];
            optimizerFeeds[name + "_grad"] = (training[name + "_grad"], feeds[name].Dims);
            foreach (var suffix in artifacts.Manifest.Optimizer.StateSuffixes)
            {
                optimizerFeeds[name + suffix] = ToFloats(checkpoint.Find(name + suffix)!);
            }
        }

        var statistics = OrtRunner.Run(OnnxModel.Load(artifacts.StatisticsModelPath), statisticsFeeds)[GradientStatisticsGraph.OutputName];
        var optimizer = OrtRunner.Run(OnnxModel.Load(artifacts.OptimizerModelPath), optimizerFeeds, new Dictionary<string, long> { ["step"] = 1 });

        var gradientSquares = MlpParameters.Select((name, i) => GradientStatisticsLayout.ReadRow(statistics, i, feeds[name].Values.Length).SumOfSquares).Sum();
        ((double)optimizer[OptimizerGraph.GlobalNormOutput][0]).Should().BeApproximately(Math.Sqrt(gradientSquares), 1e-5 * Math.Sqrt(gradientSquares));
        optimizer[OptimizerGraph.UpdateSumOfSquaresOutput].Should().HaveCount(MlpParameters.Length);
        optimizer[OptimizerGraph.UpdateSumOfSquaresOutput].Should().OnlyContain(v => v > 0);
    }

    [Fact]
    public void Artifacts_changed_model_is_detected()
    {
        var (source, _) = BuildMlp(new TrainingArtifactOptions());
        File.AppendAllText(source, " ");

        var act = () => TrainingArtifacts.Open(directory, source);

        act.Should().Throw<ArtifactException>().WithMessage("*mlp.onnx' changed since the artifacts*Build the artifacts again*");
    }

    [Fact]
    public void Artifacts_checkpoint_of_other_model_is_rejected()
    {
        var (_, _) = BuildMlp(new TrainingArtifactOptions());
        var artifacts = TrainingArtifacts.Open(directory);
        var foreign = Path.Combine(directory, "foreign.gdckpt");
        CheckpointFile.Save(foreign, new TrainingCheckpoint(new byte[32], 3, 0, []));

        var act = () => artifacts.LoadCheckpoint(foreign);

        act.Should().Throw<CheckpointException>().WithMessage("*foreign.gdckpt*header.model_sha256*another model*");
    }

    [Fact]
    public void Artifacts_checkpoint_missing_parameter_is_rejected()
    {
        var (_, _) = BuildMlp(new TrainingArtifactOptions());
        var artifacts = TrainingArtifacts.Open(directory);
        var initial = artifacts.LoadCheckpoint();
        var partial = Path.Combine(directory, "partial.gdckpt");
        CheckpointFile.Save(partial, new TrainingCheckpoint(initial.ModelSha256, 3, 0, initial.Tensors.Where(t => t.Name != "fc2.bias").ToArray()));

        var act = () => artifacts.LoadCheckpoint(partial);

        act.Should().Throw<CheckpointException>().WithMessage("*partial.gdckpt*'fc2.bias'*missing*");
    }

    [Fact]
    public void Artifacts_initial_checkpoint_holds_zero_state()
    {
        var (_, _) = BuildMlp(new TrainingArtifactOptions { Optimizer = new OptimizerOptions { Kind = OptimizerKind.Adam } });

        var checkpoint = TrainingArtifacts.Open(directory).LoadCheckpoint();

        checkpoint.Step.Should().Be(0);
        checkpoint.Tensors.Count(t => t.Kind == CheckpointTensorKind.Parameter).Should().Be(6);
        checkpoint.Tensors.Count(t => t.Kind == CheckpointTensorKind.OptimizerState).Should().Be(12);
        checkpoint.Find("fc3.bias.exp_avg_sq")!.Data.Should().OnlyContain(b => b == 0);
    }

    [Fact]
    public void Artifacts_manifest_of_newer_schema_is_rejected()
    {
        var (_, manifestPath) = BuildMlp(new TrainingArtifactOptions());
        File.WriteAllText(manifestPath, File.ReadAllText(manifestPath).Replace("\"schema_version\": 1", "\"schema_version\": 9", StringComparison.Ordinal));

        var act = () => TrainingArtifacts.Open(directory);

        act.Should().Throw<ArtifactException>().WithMessage("*schema_version 9*reads schema_version 1*");
    }

    [Fact]
    public void Artifacts_all_frozen_is_rejected()
    {
        var source = Path.Combine(directory, "mlp.onnx");
        File.Copy(FixturePaths.Onnx("mlp.onnx"), source);
        var loss = MseLoss.Attach(OnnxModel.Load(source), "output");

        var act = () => TrainingArtifactBuilder.Build(source, loss, Path.Combine(directory, "out"), new TrainingArtifactOptions { FrozenParameterPatterns = ["*"] });

        act.Should().Throw<ArtifactException>().WithMessage("*no trainable parameters*");
    }

    private (string Source, string ManifestPath) BuildMlp(TrainingArtifactOptions options)
    {
        var source = Path.Combine(directory, "mlp.onnx");
        File.Copy(FixturePaths.Onnx("mlp.onnx"), source, overwrite: true);
        var loss = MseLoss.Attach(OnnxModel.Load(source), "output");
        return (source, TrainingArtifactBuilder.Build(source, loss, directory, options));
    }

    private static Dictionary<string, (float[] Values, long[] Dims)> ParameterFeeds(TrainingCheckpoint checkpoint) =>
        checkpoint.Tensors.Where(t => t.Kind == CheckpointTensorKind.Parameter).ToDictionary(t => t.Name, ToFloats);

    private static (float[] Values, long[] Dims) ToFloats(CheckpointTensor tensor) =>
        (MemoryMarshal.Cast<byte, float>(tensor.Data).ToArray(), tensor.Dims);

    private static (float[] Values, long[] Dims) ReadTensor(JsonElement element) =>
        (element.GetProperty("data").EnumerateArray().Select(v => (float)v.GetDouble()).ToArray(),
         element.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()).ToArray());
}
