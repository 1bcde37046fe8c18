namespace GradDiag.Cli.Engines;

/// <summary>
/// The engines the commands delegate to. Each is null until the assembly that implements it is wired in
/// <see cref="DefaultEngines"/>. A command whose engine is null stops with exit code 4 and names the missing engine.
/// </summary>
internal sealed record CliEngines
{
    /// <summary>Gets engines where nothing is wired, for tests of the command flow.</summary>
    public static CliEngines None { get; } = new();

    /// <summary>Gets the trainer behind <c>graddiag train</c> (GradDiag.OrtBackend with the monitor from GradDiag.Core).</summary>
    public ITrainer? Trainer { get; init; }

    /// <summary>Gets the demo runner behind <c>graddiag demo</c>.</summary>
    public IDemoRunner? Demo { get; init; }

    /// <summary>Gets the event-file reader behind <c>graddiag report</c> and <c>graddiag plot</c> (GradDiag.Writers).</summary>
    public IGradientLogReader? LogReader { get; init; }

    /// <summary>Gets the offline detector pipeline behind <c>graddiag report</c> and <c>graddiag plot</c> (GradDiag.Detectors).</summary>
    public IRunAnalyzer? Analyzer { get; init; }

    /// <summary>Gets the JSON, Markdown, JUnit and GitHub formatters of <c>graddiag report</c> (GradDiag.Detectors).</summary>
    public IReportFormatter? Formatter { get; init; }

    /// <summary>Gets the ONNX model tools behind <c>graddiag inspect</c> and <c>graddiag artifacts</c> (GradDiag.OrtBackend).</summary>
    public IModelTools? ModelTools { get; init; }
}
