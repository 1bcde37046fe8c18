using GradDiag.Cli.Analysis;
using GradDiag.Cli.Logs;

namespace GradDiag.Cli.Engines;

/// <summary>Creates the engines this build wires into the commands.</summary>
internal static class DefaultEngines
{
    /// <summary>Returns the engines: the event-file reader, the offline detectors and the report formatters.</summary>
    public static CliEngines Create() => new()
    {
        LogReader = new TensorBoardGradientLogReader(),
        Analyzer = new MonitorRunAnalyzer(),
        Formatter = new DetectorReportFormatter(),
    };
}
