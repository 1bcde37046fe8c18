using ScottPlot;

namespace GradDiag.Cli.Plotting;

/// <summary>
/// Draws gradient flow with ScottPlot: a heatmap of log10 gradient norm (layers by depth against steps) and
/// per-layer norm curves on a log10 axis, with findings marked as shaded step spans.
/// </summary>
internal static class GradientFlowPlot
{
    private const string NormAxisLabel = "log10 gradient L2 norm";

    /// <summary>The most series the curves' legend names; beyond it the legend would be cut off at the image edge.</summary>
    private const int MaxLegendSeries = 12;

    /// <summary>Renders the requested plot and saves it as a PNG of exactly <paramref name="width"/> x <paramref name="height"/> pixels.</summary>
    /// <exception cref="ArgumentException">The data has no layers or no steps, or a size is below 100 pixels.</exception>
    public static void SavePng(GradientFlowData data, IReadOnlyList<FindingMarker> findings, PlotKind kind, string path, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(findings);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 100);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 100);
        if (data.Layers.Count == 0 || data.Steps.Count == 0)
        {
            throw new ArgumentException($"Nothing to plot: the data has {data.Layers.Count} layers and {data.Steps.Count} steps.", nameof(data));
        }

        switch (kind)
        {
            case PlotKind.Heatmap:
                CreateHeatmap(data, findings).SavePng(path, width, height);
                break;
            case PlotKind.Curves:
                CreateCurves(data, findings).SavePng(path, width, height);
                break;
            default:
                var multiplot = new Multiplot();
                multiplot.Reset(CreateHeatmap(data, findings));
                multiplot.AddPlot(CreateCurves(data, findings));
                multiplot.SavePng(path, width, height);
                break;
        }
    }

    /// <summary>
    /// Creates the heatmap: one row per layer (input side at the top), one column per step, colour = log10 norm.
    /// Cells without a positive finite norm are grey.
    /// </summary>
    public static Plot CreateHeatmap(GradientFlowData data, IReadOnlyList<FindingMarker> findings)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(findings);
        int layers = data.Layers.Count;
        int steps = data.Steps.Count;

        // ScottPlot places the heatmap's edge cells centred on its Extent, so a single step or layer is drawn
        // as two equal cells a quarter unit either side of its position, which together span one unit.
        int columns = Math.Max(steps, 2);
        int rows = Math.Max(layers, 2);
        var intensities = new double[rows, columns];
        for (int row = 0; row < rows; row++)
        {
            for (int column = 0; column < columns; column++)
            {
                intensities[row, column] = Log10OrNaN(data.Norms[Math.Min(row, layers - 1), Math.Min(column, steps - 1)]);
            }
        }

        var plot = new Plot();
        (double left, double right) = StepExtent(data.Steps);
        if (intensities.Cast<double>().Any(double.IsFinite))
        {
            var heatmap = plot.Add.Heatmap(intensities);
            heatmap.Colormap = new ScottPlot.Colormaps.Viridis();
            heatmap.NaNCellColor = Colors.LightGray;

            // NOTE: columns are drawn evenly spaced between the first and last step; uneven step gaps are not shown to scale.
            double firstColumn = steps > 1 ? data.Steps[0] : data.Steps[0] - 0.25;
            double lastColumn = steps > 1 ? data.Steps[^1] : data.Steps[0] + 0.25;
            double bottomRow = layers > 1 ? 0 : -0.25;
            double topRow = layers > 1 ? layers - 1 : 0.25;
            heatmap.Extent = new CoordinateRect(firstColumn, lastColumn, bottomRow, topRow);
            var colorBar = plot.Add.ColorBar(heatmap);
            colorBar.Label = NormAxisLabel;
        }
        else
        {
            // ScottPlot cannot derive a colour range without one finite value, so the plot states why it is empty.
            var text = plot.Add.Text("no positive finite gradient norm to show", (left + right) / 2, (layers - 1) / 2.0);
            text.Alignment = Alignment.MiddleCenter;
        }

        // Row 0 (the input side) is drawn at the top, at y = layers - 1.
        double[] positions = Enumerable.Range(0, layers).Select(i => (double)(layers - 1 - i)).ToArray();
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual(positions, [.. data.Layers]);
        plot.Axes.Left.Label.Text = "layer (input side at top)";
        plot.Axes.Bottom.Label.Text = "step";
        plot.Axes.Title.Label.Text = "Gradient flow (grey: no value, zero or non-finite)";

        foreach (FindingMarker finding in findings)
        {
            foreach ((double bottom, double top) in RowSpans(data, finding))
            {
                double halfColumn = (right - left) / steps / 2;
                var box = plot.Add.Rectangle(finding.FirstStep - halfColumn, finding.LastStep + halfColumn, bottom, top);
                box.FillStyle.Color = Colors.Transparent;
                box.LineStyle.Color = ColorOf(finding.Severity);
                box.LineStyle.Width = 2;
            }
        }

        plot.Axes.SetLimits(left, right, -0.5, layers - 0.5);
        return plot;
    }

    /// <summary>Creates the per-layer norm curves on a log10 axis, with findings shaded over their step ranges.</summary>
    public static Plot CreateCurves(GradientFlowData data, IReadOnlyList<FindingMarker> findings)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(findings);
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();

        // Findings of one kind and severity often cover the same steps in many layers, so their step ranges are
        // merged: overlapping translucent spans would stack into an opaque block, and the legend names each group once.
        foreach (IGrouping<(string Kind, Severity Severity), FindingMarker> group in findings.GroupBy(f => (f.Kind, f.Severity)))
        {
            Color color = ColorOf(group.Key.Severity);
            string label = $"{group.Key.Kind} ({group.Key.Severity.ToString().ToLowerInvariant()})";
            bool labelled = false;
            foreach ((long first, long last) in MergeRanges(group))
            {
                if (first == last)
                {
                    var line = plot.Add.VerticalLine(first);
                    line.Color = color;
                    line.LineWidth = 2;
                    line.LegendText = labelled ? string.Empty : label;
                }
                else
                {
                    var span = plot.Add.HorizontalSpan(first, last);
                    span.FillStyle.Color = color.WithAlpha(0.2);
                    span.LineStyle.Color = color;
                    span.LegendText = labelled ? string.Empty : label;
                }

                labelled = true;
            }
        }

        for (int layer = 0; layer < data.Layers.Count; layer++)
        {
            Color color = palette.GetColor(layer);
            bool labelled = data.Layers.Count > MaxLegendSeries;
            foreach ((double[] xs, double[] ys) in FiniteSegments(data, layer))
            {
                var scatter = plot.Add.ScatterLine(xs, ys, color);
                scatter.LineWidth = 1.5f;
                if (xs.Length == 1)
                {
                    scatter.MarkerSize = 4;
                }

                if (!labelled)
                {
                    scatter.LegendText = data.Layers[layer];
                    labelled = true;
                }
            }
        }

        var ticks = new ScottPlot.TickGenerators.NumericAutomatic
        {
            LabelFormatter = value => $"1e{value:0}",
            IntegerTicksOnly = true,
            MinorTickGenerator = new ScottPlot.TickGenerators.LogMinorTickGenerator(),
        };
        plot.Axes.Left.TickGenerator = ticks;
        plot.Axes.Left.Label.Text = "gradient L2 norm (log scale)";
        plot.Axes.Bottom.Label.Text = "step";
        plot.Axes.Title.Label.Text = data.Layers.Count > MaxLegendSeries
            ? $"Per-layer gradient norms ({data.Layers.Count} series, too many to name in the legend)"
            : "Per-layer gradient norms";
        plot.ShowLegend(Edge.Right);

        (double left, double right) = StepExtent(data.Steps);
        plot.Axes.AutoScale();
        plot.Axes.SetLimitsX(left, right);
        return plot;
    }

    /// <summary>Returns the union of the findings' step ranges as disjoint ranges in step order.</summary>
    public static List<(long First, long Last)> MergeRanges(IEnumerable<FindingMarker> findings)
    {
        ArgumentNullException.ThrowIfNull(findings);
        var merged = new List<(long First, long Last)>();
        foreach (FindingMarker finding in findings.OrderBy(f => f.FirstStep).ThenBy(f => f.LastStep))
        {
            if (merged.Count > 0 && finding.FirstStep <= merged[^1].Last)
            {
                merged[^1] = (merged[^1].First, Math.Max(merged[^1].Last, finding.LastStep));
            }
            else
            {
                merged.Add((finding.FirstStep, finding.LastStep));
            }
        }

        return merged;
    }

    /// <summary>Returns log10 of a positive finite norm, else NaN.</summary>
    public static double Log10OrNaN(double norm) => double.IsFinite(norm) && norm > 0 ? Math.Log10(norm) : double.NaN;

    private static (double Left, double Right) StepExtent(IReadOnlyList<long> steps)
    {
        double spacing = steps.Count > 1 ? (double)(steps[^1] - steps[0]) / (steps.Count - 1) : 1;
        return (steps[0] - (spacing / 2), steps[^1] + (spacing / 2));
    }

    private static IEnumerable<(double Bottom, double Top)> RowSpans(GradientFlowData data, FindingMarker finding)
    {
        int layers = data.Layers.Count;
        var rows = finding.Layers.SelectMany(name => RowsOfLayer(data.Layers, name)).Distinct().ToList();
        if (rows.Count == 0)
        {
            // A finding about the whole model (or about names not plotted) covers every row.
            yield return (-0.5, layers - 0.5);
            yield break;
        }

        foreach (int row in rows)
        {
            double y = layers - 1 - row;
            yield return (y - 0.5, y + 0.5);
        }
    }

    /// <summary>Returns every row that is the named series or one of the named layer's parameters, such as fc1.weight and fc1.bias for fc1.</summary>
    private static IEnumerable<int> RowsOfLayer(IReadOnlyList<string> layers, string name)
    {
        for (int i = 0; i < layers.Count; i++)
        {
            if (string.Equals(layers[i], name, StringComparison.Ordinal)
                || string.Equals(LayerNames.FromParameterName(layers[i]), name, StringComparison.Ordinal))
            {
                yield return i;
            }
        }
    }

    private static IEnumerable<(double[] Xs, double[] Ys)> FiniteSegments(GradientFlowData data, int layer)
    {
        var xs = new List<double>();
        var ys = new List<double>();
        for (int step = 0; step < data.Steps.Count; step++)
        {
            double value = Log10OrNaN(data.Norms[layer, step]);
            if (double.IsNaN(value))
            {
                if (xs.Count > 0)
                {
                    yield return ([.. xs], [.. ys]);
                    xs.Clear();
                    ys.Clear();
                }

                continue;
            }

            xs.Add(data.Steps[step]);
            ys.Add(value);
        }

        if (xs.Count > 0)
        {
            yield return ([.. xs], [.. ys]);
        }
    }

    private static Color ColorOf(Severity severity) => severity switch
    {
        Severity.Critical => Colors.DarkRed,
        Severity.Error => Colors.Red,
        Severity.Warning => Colors.Orange,
        _ => Colors.Gray,
    };
}
