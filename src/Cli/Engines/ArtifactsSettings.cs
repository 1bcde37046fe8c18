namespace GradDiag.Cli.Engines;

/// <summary>The settings of <c>graddiag artifacts</c>.</summary>
/// <param name="ModelPath">The forward ONNX model, exported in training mode.</param>
/// <param name="OutputDirectory">The folder that receives the artifacts.</param>
/// <param name="Loss">The loss attached to the model's output.</param>
/// <param name="Optimizer">The optimizer whose update graph is built.</param>
/// <param name="InputName">The model input to train on, or null for the model's only input.</param>
/// <param name="Overwrite">True to replace existing artifact files.</param>
internal sealed record ArtifactsSettings(FileInfo ModelPath, DirectoryInfo OutputDirectory, LossKind Loss, OptimizerKind Optimizer, string? InputName, bool Overwrite);
