namespace GradDiag;

/// <summary>What the monitor did with one training step.</summary>
/// <param name="Step">The training step.</param>
/// <param name="Loss">The loss at that step, or NaN when unknown.</param>
/// <param name="GlobalNorm">The global gradient norm, or NaN when the step was not observed.</param>
/// <param name="Observed">True when statistics were computed and handed to writers and detectors.</param>
/// <param name="UpdateSkipped">True when the optimizer update of the step was skipped (or the snapshot marked it skipped).</param>
/// <param name="SkipRequested">True when the non-finite guard or a detector asked to skip the update; a custom loop should then skip it.</param>
/// <param name="FindingsOpened">The number of findings that opened at this step.</param>
/// <param name="NonFiniteCount">
/// The number of NaN and ±Infinity gradient elements at this step, or -1 when the step was not observed or the
/// source did not count them. <paramref name="GlobalNorm"/> leaves those elements out when the monitor computes it.
/// </param>
public readonly record struct StepResult(
    long Step,
    double Loss,
    double GlobalNorm,
    bool Observed,
    bool UpdateSkipped,
    bool SkipRequested,
    int FindingsOpened,
    long NonFiniteCount = -1)
{
    /// <summary>Gets a value indicating whether any finding opened at this step.</summary>
    public bool FindingOpened => FindingsOpened > 0;
}
