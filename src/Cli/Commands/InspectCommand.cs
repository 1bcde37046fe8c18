using System.CommandLine;
using GradDiag.Cli.Engines;
using GradDiag.Cli.Infrastructure;

namespace GradDiag.Cli.Commands;

/// <summary><c>graddiag inspect &lt;model.onnx&gt;</c>: lists a model's inputs, outputs and trainable parameters before training it.</summary>
internal static class InspectCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create(CliServices services)
    {
        var model = new Argument<FileInfo>("model.onnx") { Description = "The ONNX model, exported in training mode." };
        var json = new Option<bool>("--json") { Description = "Write a JSON document instead of tables." };
        var command = new Command("inspect", "Show a model's inputs, outputs, trainable parameters in depth order, and operators that have no gradient rule.")
        {
            model, json,
        };

        CommandAction.Set(command, services, async invocation =>
        {
            FileInfo path = ModelFile.RequireReadable(invocation.ParseResult.GetValue(model)!);
            IModelTools tools = invocation.Services.Engines.ModelTools
                ?? throw new EngineNotAvailableException("inspect", "the ONNX model reader (GradDiag.OrtBackend)");
            await tools.InspectAsync(new InspectSettings(path, invocation.ParseResult.GetValue(json)), invocation.Console, invocation.CancellationToken).ConfigureAwait(false);
            return ExitCodes.Success;
        });

        return command;
    }
}
