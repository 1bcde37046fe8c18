using System.Security.Cryptography;
using GradDiag.OrtBackend.Checkpoints;
using GradDiag.OrtBackend.Gradients;
using GradDiag.OrtBackend.Models;
using GradDiag.OrtBackend.Onnx;
using GradDiag.OrtBackend.Optimizers;
using GradDiag.OrtBackend.Standalone;
using GradDiag.OrtBackend.Statistics;

namespace GradDiag.OrtBackend.Artifacts;

/// <summary>
/// Builds a training-artifacts folder from a source model and the same model with a loss attached. The
/// folder contains the training model (forward, loss and gradients), the eval model (forward and loss),
/// the optimizer model, the gradient statistics model, an initial checkpoint and manifest.json.
/// </summary>
/// <remarks>
/// Trainable parameters become graph inputs of the training and eval models; frozen ones stay constants.
/// The manifest is written last, so a folder with a manifest contains a complete set. docs/onnx-artifacts.md
/// describes the layout.
/// </remarks>
public static class TrainingArtifactBuilder
{
    /// <summary>The manifest file name inside the artifacts folder.</summary>
    public const string ManifestFileName = "manifest.json";

    internal const string TrainingModelFile = "training_model.onnx";
    internal const string EvalModelFile = "eval_model.onnx";
    internal const string OptimizerModelFile = "optimizer_model.onnx";
    internal const string StatisticsModelFile = "statistics_model.onnx";
    internal const string CheckpointFileName = "checkpoint.gdckpt";

    /// <summary>Builds the artifacts into <paramref name="outputDirectory"/>, replacing files of an earlier build.</summary>
    /// <param name="sourceModelPath">The forward model file; its SHA-256 identifies the artifacts and checkpoints.</param>
    /// <param name="loss">The source model with the loss attached.</param>
    /// <param name="outputDirectory">The artifacts folder; created when missing.</param>
    /// <param name="options">Settings, or null for the defaults.</param>
    /// <returns>The path of the written manifest.</returns>
    /// <exception cref="ArtifactException">No parameter is trainable, or the loss model lacks a source parameter.</exception>
    /// <exception cref="GradientBuildException">The gradient graph cannot be built.</exception>
    /// <exception cref="OnnxModelException">The source model cannot be read.</exception>
    public static string Build(string sourceModelPath, LossGraph loss, string outputDirectory, TrainingArtifactOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(sourceModelPath);
        ArgumentNullException.ThrowIfNull(loss);
        ArgumentException.ThrowIfNullOrEmpty(outputDirectory);
        options ??= new TrainingArtifactOptions();
        options.Optimizer.Validate();

        var sourceHash = HashFile(sourceModelPath);
        var source = OnnxModel.Load(sourceModelPath);
        var selection = TrainableParameterSelector.Select(source.Proto, options.FrozenParameterPatterns, options.PatternSyntax);
        if (selection.Trainable.Count == 0)
        {
            throw new ArtifactException($"The model '{sourceModelPath}' has no trainable parameters: no floating-point initializer is read by a node and left unfrozen.");
        }

        CheckLossModel(loss, selection, sourceModelPath);
        var trainableNames = selection.Trainable.Select(p => p.Name).ToArray();
        // NOTE: BatchNormalization's updated running statistics are not outputs of the training model, so
        // training leaves the checkpoint's running statistics at their initial values.
        var training = GradientGraphBuilder.Build(loss.Model, loss.LossOutputName, new GradientBuilderOptions { TrainableParameters = trainableNames });
        var eval = new OnnxModel(EvalModel(loss.Model.Proto, selection.Trainable));
        var optimizer = OptimizerGraph.Build(selection.Trainable, options.Optimizer);
        var statistics = GradientStatisticsGraph.Build(selection.Trainable);
        var checkpoint = InitialCheckpoint(source.Proto, selection, options.Optimizer, sourceHash);

        // Removing the old manifest first means a build that stops halfway leaves a folder that opens as
        // "manifest not found" rather than an old manifest next to new model files.
        Directory.CreateDirectory(outputDirectory);
        var manifestPath = Path.Combine(outputDirectory, ManifestFileName);
        File.Delete(manifestPath);
        training.Save(Path.Combine(outputDirectory, TrainingModelFile));
        eval.Save(Path.Combine(outputDirectory, EvalModelFile));
        optimizer.Save(Path.Combine(outputDirectory, OptimizerModelFile));
        statistics.Save(Path.Combine(outputDirectory, StatisticsModelFile));
        CheckpointFile.Save(Path.Combine(outputDirectory, CheckpointFileName), checkpoint);

        var manifest = new ArtifactManifest
        {
            SchemaVersion = ArtifactManifest.CurrentSchemaVersion,
            GradDiagVersion = typeof(TrainingArtifactBuilder).Assembly.GetName().Version?.ToString(3) ?? "0.0.0",
            SourceModel = new ManifestSourceModel { FileName = Path.GetFileName(sourceModelPath), Sha256 = Convert.ToHexStringLower(sourceHash) },
            IrVersion = source.IrVersion,
            Opset = source.Opset,
            Loss = new ManifestLoss { Kind = loss.LossKind, Output = loss.LossOutputName, TargetInputs = [.. loss.TargetInputNames] },
            TrainableParameters = selection.Trainable.Select(p => ToEntry(p, null)).ToList(),
            FrozenParameters = selection.Frozen.Select(f => ToEntry(f.Parameter, ReasonName(f.Reason))).ToList(),
            Models = new ManifestModels
            {
                Training = Describe(TrainingModelFile, training),
                Eval = Describe(EvalModelFile, eval),
                Optimizer = Describe(OptimizerModelFile, optimizer),
                Statistics = Describe(StatisticsModelFile, statistics),
            },
            CheckpointFile = CheckpointFileName,
            Optimizer = Describe(options.Optimizer),
        };

        ManifestFile.Save(manifestPath, manifest);
        return manifestPath;
    }

    /// <summary>Returns the SHA-256 of a file's bytes.</summary>
    internal static byte[] HashFile(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        return SHA256.HashData(stream);
    }

    internal static string ReasonName(FrozenReason reason) => reason switch
    {
        FrozenReason.RunningStatistic => "running_statistic",
        FrozenReason.NamePattern => "name_pattern",
        FrozenReason.NotDifferentiable => "not_differentiable",
        _ => "unused",
    };

    private static void CheckLossModel(LossGraph loss, ParameterSelection selection, string sourceModelPath)
    {
        var initializers = loss.Model.Proto.Graph.Initializer.ToDictionary(t => t.Name, StringComparer.Ordinal);
        foreach (var parameter in selection.Trainable)
        {
            if (!initializers.TryGetValue(parameter.Name, out var tensor))
            {
                throw new ArtifactException($"The loss model has no initializer '{parameter.Name}', a trainable parameter of '{sourceModelPath}'. Attach the loss to the same model without renaming its initializers.");
            }

            if (tensor.DataType != parameter.ElementType || !tensor.Dims.SequenceEqual(parameter.Dims))
            {
                throw new ArtifactException($"The loss model's initializer '{parameter.Name}' is {DataTypes.Name(tensor.DataType)}[{string.Join(", ", tensor.Dims)}]; the source model has {parameter}.");
            }
        }
    }

    /// <summary>
    /// Creates the eval model: inference-mode BatchNormalization and Dropout, and the trainable initializers
    /// moved to graph inputs (appended after the existing inputs, in depth order).
    /// </summary>
    private static ModelProto EvalModel(ModelProto source, IReadOnlyList<ParameterSpec> parameters)
    {
        var model = source.Clone();
        var graph = model.Graph;
        EvalModeRewriter.Apply(graph);
        var existing = graph.Input.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var parameter in parameters)
        {
            var tensor = graph.Initializer.First(t => t.Name == parameter.Name);
            graph.Initializer.Remove(tensor);
            if (!existing.Contains(parameter.Name))
            {
                graph.Input.Add(StandaloneGraph.ValueInfo(parameter.Name, new Graphs.TensorInfo(parameter.ElementType, parameter.Dims)));
            }
        }

        return model;
    }

    private static TrainingCheckpoint InitialCheckpoint(ModelProto source, ParameterSelection selection, OptimizerOptions optimizer, byte[] sourceHash)
    {
        var initializers = source.Graph.Initializer.ToDictionary(t => t.Name, StringComparer.Ordinal);
        var tensors = new List<CheckpointTensor>();
        foreach (var parameter in selection.Trainable)
        {
            tensors.Add(new CheckpointTensor(parameter.Name, CheckpointTensorKind.Parameter, parameter.ElementType, parameter.Dims, InitializerData.ToRawBytes(initializers[parameter.Name])));
        }

        foreach (var (parameter, _) in selection.Frozen)
        {
            tensors.Add(new CheckpointTensor(parameter.Name, CheckpointTensorKind.Frozen, parameter.ElementType, parameter.Dims, InitializerData.ToRawBytes(initializers[parameter.Name])));
        }

        // Optimizer state starts at zero, as torch.optim's does.
        foreach (var parameter in selection.Trainable)
        {
            foreach (var suffix in OptimizerGraph.StateSuffixes(optimizer))
            {
                var bytes = checked((int)parameter.ElementCount * (DataTypes.BitsPerElement(parameter.ElementType) / 8));
                tensors.Add(new CheckpointTensor(parameter.Name + suffix, CheckpointTensorKind.OptimizerState, parameter.ElementType, parameter.Dims, new byte[bytes]));
            }
        }

        return new TrainingCheckpoint(sourceHash, step: 0, schedulePosition: 0, tensors);
    }

    private static ManifestParameter ToEntry(ParameterSpec parameter, string? reason) => new()
    {
        Name = parameter.Name,
        Shape = parameter.Dims,
        ElementType = DataTypes.Name(parameter.ElementType),
        Reason = reason,
    };

    private static ManifestModel Describe(string file, OnnxModel model) => new()
    {
        File = file,
        Inputs = [.. model.InputNames],
        Outputs = [.. model.OutputNames],
    };

    private static ManifestOptimizer Describe(OptimizerOptions options) => new()
    {
        Kind = options.Kind.ToString().ToLowerInvariant(),
        Momentum = options.Momentum,
        Nesterov = options.Nesterov,
        WeightDecay = options.WeightDecay,
        Beta1 = options.Beta1,
        Beta2 = options.Beta2,
        Epsilon = options.Epsilon,
        MaxGradientNorm = options.MaxGradientNorm,
        StateSuffixes = [.. OptimizerGraph.StateSuffixes(options)],
    };
}
