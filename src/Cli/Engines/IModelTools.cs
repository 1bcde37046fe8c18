using GradDiag.Cli.Output;

namespace GradDiag.Cli.Engines;

/// <summary>ONNX model tools: the engine behind <c>graddiag inspect</c> and <c>graddiag artifacts</c>.</summary>
internal interface IModelTools
{
    /// <summary>Shows the model's inputs, outputs, trainable parameters in depth order and operators without a gradient rule.</summary>
    Task InspectAsync(InspectSettings settings, ICliConsole console, CancellationToken cancellationToken);

    /// <summary>Writes the training, eval and optimizer models and the initial checkpoint into the output folder.</summary>
    Task BuildArtifactsAsync(ArtifactsSettings settings, ICliConsole console, CancellationToken cancellationToken);
}
