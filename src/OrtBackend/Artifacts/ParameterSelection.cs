using GradDiag.OrtBackend.Standalone;

namespace GradDiag.OrtBackend.Artifacts;

/// <summary>
/// The floating-point initializers of a forward model split into trainable parameters, in depth order (the
/// order of first use in the topologically sorted graph, input side first), and frozen ones with a reason.
/// </summary>
internal sealed record ParameterSelection(IReadOnlyList<ParameterSpec> Trainable, IReadOnlyList<(ParameterSpec Parameter, FrozenReason Reason)> Frozen);
