using GradDiag.Cli.Engines;
using GradDiag.Cli.Plotting;
using GradDiag.Detectors;

namespace GradDiag.Cli.Analysis;

/// <summary>
/// Analyses one run offline: a new <see cref="GradientMonitor"/> with the default detectors is fed the run's
/// steps through <see cref="GradientMonitor.Observe(StepStatistics)"/>, then builds the run's report.
/// </summary>
/// <param name="options">The detector settings; null for the defaults.</param>
internal sealed class MonitorRunAnalyzer(DetectorOptions? options = null) : IRunAnalyzer
{
    /// <inheritdoc/>
    public RunReport Analyze(GradientRunLog log, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(log);
        using var monitor = new GradientMonitor(detectors: DefaultDetectors.Create(options));
        bool interrupted = false;
        foreach (StepStatistics step in log.Statistics ?? FromFlowData(log.Series))
        {
            if (cancellationToken.IsCancellationRequested)
            {
                interrupted = true;
                break;
            }

            monitor.Observe(step);
        }

        return monitor.CreateReport(log.ReportName, interrupted);
    }

    /// <summary>Turns plot data back into steps: a NaN cell is a step without a value for that series.</summary>
    private static IEnumerable<StepStatistics> FromFlowData(GradientFlowData data)
    {
        var parameters = new ParameterSet(data.Layers.Select((name, depth) => new ParameterDescriptor(name, [], depth)));
        for (int column = 0; column < data.Steps.Count; column++)
        {
            var statistics = new StepStatistics(parameters);
            statistics.Reset(data.Steps[column]);
            for (int row = 0; row < data.Layers.Count; row++)
            {
                double norm = data.Norms[row, column];
                if (!double.IsNaN(norm))
                {
                    statistics.Set(row, ParameterStatistics.FromNorm(norm));
                }
            }

            yield return statistics;
        }
    }
}
