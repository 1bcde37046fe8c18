namespace GradDiag;

/// <summary>One value of a series at one step, kept as evidence for a finding.</summary>
/// <param name="Step">The training step.</param>
/// <param name="Value">The value at that step.</param>
public readonly record struct EvidencePoint(long Step, double Value);
