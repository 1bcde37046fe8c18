using System.Globalization;
using System.Text.Json;
using GradDiag.Cli.Engines;
using GradDiag.Cli.Infrastructure;
using GradDiag.Cli.Output;
using GradDiag.OrtBackend.Artifacts;
using GradDiag.OrtBackend.Gradients;
using GradDiag.OrtBackend.Losses;
using GradDiag.OrtBackend.Models;
using GradDiag.OrtBackend.Optimizers;
using OrtLossKind = GradDiag.OrtBackend.Losses.LossKind;
using OrtOptimizerKind = GradDiag.OrtBackend.Optimizers.OptimizerKind;

namespace GradDiag.Cli.Models;

/// <summary>The engine behind <c>graddiag inspect</c> and <c>graddiag artifacts</c>, built on GradDiag.OrtBackend.</summary>
internal sealed class OnnxModelTools : IModelTools
{
    /// <summary>The momentum factor of <c>--optimizer momentum</c>, the same default as <c>graddiag train --momentum</c>.</summary>
    public const double DefaultMomentum = 0.9;

    /// <summary>The files an artifacts folder holds; an existing one is replaced only with --overwrite.</summary>
    private static readonly string[] ArtifactFiles =
    [
        TrainingArtifactBuilder.TrainingModelFile,
        TrainingArtifactBuilder.EvalModelFile,
        TrainingArtifactBuilder.OptimizerModelFile,
        TrainingArtifactBuilder.StatisticsModelFile,
        TrainingArtifactBuilder.CheckpointFileName,
        TrainingArtifactBuilder.ManifestFileName,
    ];

    /// <inheritdoc/>
    public Task InspectAsync(InspectSettings settings, ICliConsole console, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(console);
        ModelDescription model = Load(settings.ModelPath, ModelInspector.Describe);
        if (settings.Json)
        {
            console.Out.WriteLine(JsonSerializer.Serialize(model, ModelDescriptionJsonContext.Default.ModelDescription));
            return Task.CompletedTask;
        }

        console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{model.File}: IR version {model.IrVersion}, opset {model.Opset}, {model.Operators.Sum(o => o.Count)} nodes."));
        console.WriteTable(ValuesTable("Inputs", model.Inputs));
        console.WriteTable(ValuesTable("Outputs", model.Outputs));
        console.WriteTable(ParametersTable(model));
        console.WriteTable(new TableContent(
            "Operators",
            ["operator", "nodes", "gradient rule"],
            model.Operators.Select(o => (IReadOnlyList<string>)[o.Operator, Count(o.Count), o.HasGradientRule ? "yes" : "no"]).ToList()));
        if (model.UnsupportedOperators.Count == 0)
        {
            console.WriteLine("Every operator has a gradient rule, so graddiag can train this model.");
        }
        else
        {
            console.WriteLine($"{model.UnsupportedOperators.Count} node(s) have no gradient rule, so graddiag cannot train this model yet: {string.Join(", ", model.UnsupportedOperators)}.");
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task BuildArtifactsAsync(ArtifactsSettings settings, ICliConsole console, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(console);
        string output = settings.OutputDirectory.FullName;
        string[] existing = ArtifactFiles.Where(name => File.Exists(Path.Combine(output, name))).ToArray();
        if (existing.Length > 0 && !settings.Overwrite)
        {
            throw new InputException($"Artifacts folder '{output}' already contains {string.Join(", ", existing)}; pass --overwrite to replace them, or choose another --out.");
        }

        string modelPath = settings.ModelPath.FullName;
        OnnxModel source = Load(settings.ModelPath, OnnxModel.Load);
        if (settings.InputName is string inputName && !source.InputNames.Contains(inputName, StringComparer.Ordinal))
        {
            throw new UsageException($"Invalid --input-name '{inputName}': the model's inputs are {string.Join(", ", source.InputNames)}.");
        }

        LossGraph loss = AttachLoss(source, settings);
        var options = new TrainingArtifactOptions { Optimizer = OptimizerFor(settings.Optimizer) };
        string manifest = Load(settings.ModelPath, _ => TrainingArtifactBuilder.Build(modelPath, loss, output, options));

        TrainingArtifacts artifacts = TrainingArtifacts.Open(output, modelPath);
        long elements = artifacts.Manifest.TrainableParameters.Sum(p => p.Shape.Aggregate(1L, (product, d) => product * d));
        console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Wrote training, eval, optimizer and statistics models, the initial checkpoint and {Path.GetFileName(manifest)} to {output}."));
        console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Loss {loss.LossKind} on output '{source.OutputNames[0]}' against input(s) {string.Join(", ", loss.TargetInputNames)}; optimizer {artifacts.Manifest.Optimizer.Kind}; {artifacts.Manifest.TrainableParameters.Count} trainable parameters ({elements} elements), {artifacts.Manifest.FrozenParameters.Count} frozen."));
        return Task.CompletedTask;
    }

    /// <summary>Appends the requested loss to the model's first output.</summary>
    private static LossGraph AttachLoss(OnnxModel source, ArtifactsSettings settings)
    {
        if (source.OutputNames.Count == 0)
        {
            throw new InputException($"Model '{settings.ModelPath.FullName}' has no graph output to attach the loss to.");
        }

        // NOTE: the loss always goes on the first graph output; a model whose logits are another output needs re-exporting.
        string prediction = source.OutputNames[0];
        bool crossEntropy = settings.Loss == Engines.LossKind.CrossEntropy;
        var lossOptions = new LossOptions { Kind = crossEntropy ? OrtLossKind.CrossEntropy : OrtLossKind.MeanSquaredError };
        OnnxModel withLoss = Load(settings.ModelPath, _ => LossBuilder.Append(source, prediction, lossOptions));
        string[] targets = withLoss.InputNames.Except(source.InputNames, StringComparer.Ordinal).ToArray();
        return new LossGraph(withLoss, lossOptions.LossName, crossEntropy ? "cross_entropy" : "mse", targets);
    }

    private static OptimizerOptions OptimizerFor(Engines.OptimizerKind kind) => kind switch
    {
        Engines.OptimizerKind.Sgd => new OptimizerOptions { Kind = OrtOptimizerKind.Sgd },
        Engines.OptimizerKind.Momentum => new OptimizerOptions { Kind = OrtOptimizerKind.Sgd, Momentum = DefaultMomentum },
        Engines.OptimizerKind.Adam => new OptimizerOptions { Kind = OrtOptimizerKind.Adam },
        _ => new OptimizerOptions { Kind = OrtOptimizerKind.AdamW },
    };

    /// <summary>Runs a step that reads or transforms the model, turning the backend's model errors into input errors that name the file.</summary>
    private static T Load<T>(FileInfo model, Func<string, T> step)
    {
        try
        {
            return step(model.FullName);
        }
        catch (Exception exception) when (exception is OnnxModelException or GradientBuildException or ArtifactException)
        {
            string message = exception.Message.Contains(model.FullName, StringComparison.Ordinal) ? exception.Message : $"Model '{model.FullName}': {exception.Message}";
            throw new InputException(message, exception);
        }
    }

    private static TableContent ValuesTable(string title, IReadOnlyList<ValueDescription> values) => new(
        title,
        ["name", "type", "shape"],
        values.Select(v => (IReadOnlyList<string>)[v.Name, v.ElementType, "[" + string.Join(", ", v.Shape) + "]"]).ToList());

    private static TableContent ParametersTable(ModelDescription model)
    {
        List<IReadOnlyList<string>> rows = model.TrainableParameters
            .Concat(model.FrozenParameters)
            .Select(p => (IReadOnlyList<string>)
            [
                p.Depth >= 0 ? Count(p.Depth) : "-",
                p.Name,
                p.ElementType,
                "[" + string.Join(", ", p.Shape.Select(d => d.ToString(CultureInfo.InvariantCulture))) + "]",
                p.ElementCount >= 0 ? Count(p.ElementCount) : "?",
                p.FrozenReason is null ? "trainable" : "frozen: " + p.FrozenReason,
            ])
            .ToList();
        string title = string.Create(CultureInfo.InvariantCulture,
            $"Parameters in depth order ({model.TrainableParameters.Count} trainable, {model.TrainableElementCount} elements; {model.FrozenParameters.Count} frozen)");
        return new TableContent(title, ["depth", "name", "type", "shape", "elements", "status"], rows);
    }

    private static string Count(long value) => value.ToString(CultureInfo.InvariantCulture);
}
