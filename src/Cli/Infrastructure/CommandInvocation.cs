using System.CommandLine;
using GradDiag.Cli.Output;

namespace GradDiag.Cli.Infrastructure;

/// <summary>One run of a command: its parse result, console, services and the Ctrl+C token.</summary>
/// <param name="ParseResult">The parsed command line.</param>
/// <param name="Console">Where the command writes.</param>
/// <param name="Services">The shared services.</param>
/// <param name="CancellationToken">Fires on Ctrl+C.</param>
internal sealed record CommandInvocation(ParseResult ParseResult, ICliConsole Console, CliServices Services, CancellationToken CancellationToken)
{
    /// <summary>Gets a value indicating whether --verbose was given.</summary>
    public bool Verbose => ParseResult.GetValue(Services.Globals.Verbose);
}
