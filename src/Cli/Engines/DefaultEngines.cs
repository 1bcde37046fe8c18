using GradDiag.Cli.Analysis;
using GradDiag.Cli.Logs;
using GradDiag.Cli.Models;
using GradDiag.Cli.Training;

namespace GradDiag.Cli.Engines;

/// <summary>Creates the engines this build wires into the commands.</summary>
internal static class DefaultEngines
{
    /// <summary>Returns the engines: the event-file reader, the offline detectors, the report formatters, the ONNX model tools and the trainer.</summary>
    public static CliEngines Create() => new()
    {
        LogReader = new TensorBoardGradientLogReader(),
        Analyzer = new MonitorRunAnalyzer(),
        Formatter = new DetectorReportFormatter(),
        ModelTools = new OnnxModelTools(),
        Trainer = new OrtTrainer(),
    };
}
