using GradDiag.Cli.Output;

namespace GradDiag.Cli.Engines;

/// <summary>Trains the demo models on the bundled digits data: the engine behind <c>graddiag demo</c>.</summary>
internal interface IDemoRunner
{
    /// <summary>Trains each demo model and returns one report per model, in the order they ran.</summary>
    Task<IReadOnlyList<RunReport>> RunAsync(DemoSettings settings, ICliConsole console, CancellationToken cancellationToken);
}
