using GradDiag.Cli.Engines;
using GradDiag.Cli.Output;
using GradDiag.Cli.Plotting;

namespace GradDiag.Cli.Tests;

/// <summary>Engines for tests of the command flow: they return fixed logs and reports.</summary>
internal sealed class FakeLogReader(params GradientRunLog[] logs) : IGradientLogReader
{
    public IReadOnlyList<string>? SeenPatterns { get; private set; }

    public Task<IReadOnlyList<GradientRunLog>> ReadAsync(DirectoryInfo logDirectory, IReadOnlyList<string> tagPatterns, CancellationToken cancellationToken)
    {
        SeenPatterns = tagPatterns;
        return Task.FromResult<IReadOnlyList<GradientRunLog>>(logs);
    }
}

internal sealed class FakeAnalyzer(params Finding[] findings) : IRunAnalyzer
{
    public RunReport Analyze(GradientRunLog log, CancellationToken cancellationToken) =>
        new() { Run = log.Run, FirstStep = log.Series.Steps[0], LastStep = log.Series.Steps[^1], StepsObserved = log.Series.Steps.Count, Findings = findings };
}

internal sealed class ThrowingTrainer(Exception exception) : ITrainer
{
    public Task<RunReport> TrainAsync(TrainRequest request, ICliConsole console, CancellationToken cancellationToken) => throw exception;
}

internal sealed class RecordingTrainer : ITrainer
{
    public TrainRequest? Request { get; private set; }

    public bool Interrupt { get; init; }

    public Task<RunReport> TrainAsync(TrainRequest request, ICliConsole console, CancellationToken cancellationToken)
    {
        Request = request;
        return Task.FromResult(new RunReport { Run = request.Settings.RunName, Interrupted = Interrupt || cancellationToken.IsCancellationRequested });
    }
}

internal static class TestData
{
    public static GradientRunLog Log(string run = "run1")
    {
        var norms = new double[,] { { 1e-3, 2e-3, double.NaN, 1e-3 }, { 0.5, 0.4, 0.3, 0.2 } };
        return new GradientRunLog(run, new GradientFlowData(["fc1.weight", "fc2.weight"], [0, 1, 2, 3], norms));
    }

    public static Finding Finding(Severity severity, string kind = "vanishing") => new()
    {
        Id = $"{kind}:fc1",
        Detector = kind,
        Kind = new FindingKind(kind),
        Severity = severity,
        Message = $"{kind} gradients in fc1",
        Layers = ["fc1"],
        FirstStep = 1,
        LastStep = 3,
    };
}
