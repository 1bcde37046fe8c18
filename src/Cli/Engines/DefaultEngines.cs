using GradDiag.Cli.Analysis;
using GradDiag.Cli.Logs;
using GradDiag.Cli.Models;

namespace GradDiag.Cli.Engines;

/// <summary>Creates the engines this build wires into the commands.</summary>
internal static class DefaultEngines
{
    /// <summary>Returns the engines: the event-file reader, the offline detectors, the report formatters and the ONNX model tools.</summary>
    public static CliEngines Create() => new()
    {
        LogReader = new TensorBoardGradientLogReader(),
        Analyzer = new MonitorRunAnalyzer(),
        Formatter = new DetectorReportFormatter(),
        ModelTools = new OnnxModelTools(),
    };
}
