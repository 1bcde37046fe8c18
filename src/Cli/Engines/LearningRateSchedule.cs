namespace GradDiag.Cli.Engines;

/// <summary>How the learning rate changes over the steps, after any warm-up.</summary>
internal enum LearningRateSchedule
{
    /// <summary>The learning rate stays at --lr (<c>constant</c>).</summary>
    Constant,

    /// <summary>The learning rate is multiplied by --lr-gamma every --lr-step-size steps (<c>step</c>).</summary>
    Step,

    /// <summary>The learning rate follows half a cosine from --lr down to 0 at the last step (<c>cosine</c>).</summary>
    Cosine,
}
