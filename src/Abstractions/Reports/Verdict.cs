namespace GradDiag;

/// <summary>The overall judgement of a run.</summary>
public enum Verdict
{
    /// <summary>No finding at warning level or above.</summary>
    Healthy = 0,

    /// <summary>At least one warning, nothing worse.</summary>
    Warning = 1,

    /// <summary>At least one error or critical finding.</summary>
    Failing = 2,
}
