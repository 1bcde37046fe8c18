namespace GradDiag.Cli.Plotting;

/// <summary>What <c>graddiag plot</c> draws.</summary>
internal enum PlotKind
{
    /// <summary>The heatmap above the norm curves, in one image.</summary>
    Both,

    /// <summary>Only the gradient-flow heatmap.</summary>
    Heatmap,

    /// <summary>Only the per-layer norm curves.</summary>
    Curves,
}
