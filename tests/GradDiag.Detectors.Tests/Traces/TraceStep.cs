namespace GradDiag.Detectors.Tests;

/// <summary>One step of a trace: what the monitor would hand the detectors.</summary>
public sealed record TraceStep(long Step, double Loss, double LearningRate, ParameterStatistics[] Parameters, bool UpdateSkipped = false);
