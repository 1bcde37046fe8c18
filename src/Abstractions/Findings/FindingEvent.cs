namespace GradDiag;

/// <summary>A change in a finding's lifecycle, raised to the host as it happens.</summary>
/// <param name="Kind">What happened.</param>
/// <param name="Finding">The finding as it is after the change.</param>
/// <param name="Step">The step at which it happened.</param>
public readonly record struct FindingEvent(FindingEventKind Kind, Finding Finding, long Step);
