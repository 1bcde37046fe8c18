using GradDiag.OrtBackend.Models;

namespace GradDiag.OrtBackend.Artifacts;

/// <summary>
/// A forward model with a loss already attached: the input that <see cref="TrainingArtifactBuilder"/> turns
/// into the training and eval models.
/// </summary>
/// <param name="Model">The forward graph plus the loss nodes; its initializers include the source model's parameters by name.</param>
/// <param name="LossOutputName">The name of the scalar loss value.</param>
/// <param name="LossKind">The loss kind recorded in the manifest, for example <c>cross_entropy</c> or <c>mse</c>.</param>
/// <param name="TargetInputNames">The graph inputs the loss added, such as labels or targets.</param>
public sealed record LossGraph(OnnxModel Model, string LossOutputName, string LossKind, IReadOnlyList<string> TargetInputNames);
