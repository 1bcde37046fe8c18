namespace GradDiag;

/// <summary>How serious a finding is, in increasing order.</summary>
public enum Severity
{
    /// <summary>Worth knowing, not a problem on its own (for example a single gradient spike).</summary>
    Information = 0,

    /// <summary>A trend that may hurt training if it continues.</summary>
    Warning = 1,

    /// <summary>Training is impaired: gradients vanish or explode in a sustained way.</summary>
    Error = 2,

    /// <summary>Training is broken: non-finite gradients, loss or updates.</summary>
    Critical = 3,
}
