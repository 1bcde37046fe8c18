using System.CommandLine;
using GradDiag.Cli.Engines;
using GradDiag.Cli.Infrastructure;

namespace GradDiag.Cli.Commands;

/// <summary><c>graddiag artifacts &lt;model.onnx&gt;</c>: builds training artifacts that stock ONNX Runtime can run.</summary>
internal static class ArtifactsCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create(CliServices services)
    {
        var model = new Argument<FileInfo>("model.onnx") { Description = "The forward ONNX model, exported in training mode without constant folding." };
        var output = new Option<DirectoryInfo>("--out", "-o")
        {
            Description = "The folder that receives training_model.onnx, eval_model.onnx, optimizer_model.onnx, statistics_model.onnx, the initial checkpoint and manifest.json.",
            DefaultValueFactory = _ => new DirectoryInfo("artifacts"),
        };
        var loss = TrainOptionFactory.CreateLoss();
        var optimizer = TrainOptionFactory.CreateOptimizer();
        var inputName = new Option<string?>("--input-name") { Description = "The model input to train on; default: the model's only input." };
        var overwrite = new Option<bool>("--overwrite") { Description = "Replace artifact files that already exist in the output folder." };
        var command = new Command("artifacts", "Build the training, eval and optimizer models and an initial checkpoint from a forward ONNX model, in standard ONNX operators only.")
        {
            model, output, loss, optimizer, inputName, overwrite,
        };

        CommandAction.Set(command, services, async invocation =>
        {
            ParseResult parse = invocation.ParseResult;
            FileInfo path = ModelFile.RequireReadable(parse.GetValue(model)!);
            var settings = new ArtifactsSettings(
                path,
                parse.GetValue(output)!,
                TrainOptionFactory.ParseLoss(parse.GetValue(loss)!),
                TrainOptionFactory.ParseOptimizer(parse.GetValue(optimizer)!),
                parse.GetValue(inputName),
                parse.GetValue(overwrite));
            IModelTools tools = invocation.Services.Engines.ModelTools
                ?? throw new EngineNotAvailableException("artifacts", "the gradient-graph builder (GradDiag.OrtBackend)");
            await tools.BuildArtifactsAsync(settings, invocation.Console, invocation.CancellationToken).ConfigureAwait(false);
            return ExitCodes.Success;
        });

        return command;
    }
}
