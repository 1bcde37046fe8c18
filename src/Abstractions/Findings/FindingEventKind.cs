namespace GradDiag;

/// <summary>What happened to a finding.</summary>
public enum FindingEventKind
{
    /// <summary>The condition started to hold; the finding is new.</summary>
    Opened,

    /// <summary>The condition no longer holds.</summary>
    Closed,

    /// <summary>A one-off observation that has no lifetime, such as a single spike.</summary>
    Observed,
}
