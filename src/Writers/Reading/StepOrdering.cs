namespace GradDiag.Writers.Reading;

/// <summary>How the reader treats a tag whose step repeats or goes back.</summary>
public enum StepOrdering
{
    /// <summary>
    /// A point at step <c>s</c> removes the tag's earlier-read points at steps of <c>s</c> or more, so a repeated
    /// step keeps the latest value and a restart replaces the abandoned history. This is the rule of TensorBoard's
    /// Rust data server, its default loader.
    /// </summary>
    ReplaceLaterSteps = 0,

    /// <summary>Every point is kept; points of a tag are sorted by step, stable for equal steps.</summary>
    KeepAll = 1,
}
