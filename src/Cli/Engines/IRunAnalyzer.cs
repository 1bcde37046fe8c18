namespace GradDiag.Cli.Engines;

/// <summary>Runs the detectors offline over one run's series: the analyzer behind <c>graddiag report</c> and <c>plot</c>.</summary>
internal interface IRunAnalyzer
{
    /// <summary>Feeds the run's steps to the detectors in order and returns the run's report.</summary>
    RunReport Analyze(GradientRunLog log, CancellationToken cancellationToken);
}
