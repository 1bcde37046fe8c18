using System.CommandLine;

namespace GradDiag.Cli.Infrastructure;

/// <summary>Attaches command bodies so that every exception becomes one stderr line and an exit code.</summary>
internal static class CommandAction
{
    /// <summary>Sets <paramref name="body"/> as the action of <paramref name="command"/>.</summary>
    public static void Set(Command command, CliServices services, Func<CommandInvocation, Task<int>> body)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(body);
        command.SetAction((parseResult, cancellationToken) => RunAsync(parseResult, services, body, cancellationToken));
    }

    private static async Task<int> RunAsync(ParseResult parseResult, CliServices services, Func<CommandInvocation, Task<int>> body, CancellationToken cancellationToken)
    {
        bool verbose = parseResult.GetValue(services.Globals.Verbose);
        try
        {
            var invocation = new CommandInvocation(parseResult, services.CreateConsole(parseResult.GetValue(services.Globals.Plain)), services, cancellationToken);
            return await body(invocation).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Every failure must end as one stderr line and an exit code, never as an unhandled crash.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            return ErrorReporter.Report(exception, services.Error, verbose, cancellationToken.IsCancellationRequested);
        }
    }
}
