using GradDiag.Cli.Analysis;
using GradDiag.Cli.Demo;
using GradDiag.Cli.Logs;
using GradDiag.Cli.Models;
using GradDiag.Cli.Training;

namespace GradDiag.Cli.Engines;

/// <summary>Creates the engines this build wires into the commands.</summary>
internal static class DefaultEngines
{
    /// <summary>Returns the engines: the event-file reader, the offline detectors, the report formatters, the ONNX model tools, the trainer and the demo.</summary>
    public static CliEngines Create()
    {
        var trainer = new OrtTrainer();
        return new CliEngines
        {
            LogReader = new TensorBoardGradientLogReader(),
            Analyzer = new MonitorRunAnalyzer(),
            Formatter = new DetectorReportFormatter(),
            ModelTools = new OnnxModelTools(),
            Trainer = trainer,
            Demo = new DemoRunner(trainer),
        };
    }
}
