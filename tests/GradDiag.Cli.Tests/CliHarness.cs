using System.Collections;
using GradDiag.Cli.Engines;
using GradDiag.Cli.Infrastructure;

namespace GradDiag.Cli.Tests;

/// <summary>Runs graddiag in-process with captured output, a controlled environment and chosen engines.</summary>
internal static class CliHarness
{
    public static async Task<CliResult> RunAsync(CliEngines engines, CancellationToken cancellationToken, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var environment = new Hashtable();
        var services = new CliServices(engines, output, error, environment, outputIsTerminal: false);
        int exitCode = await GradDiagApp.RunAsync(args, services, cancellationToken);
        return new CliResult(exitCode, output.ToString(), error.ToString());
    }

    public static Task<CliResult> RunAsync(params string[] args) => RunAsync(CliEngines.None, CancellationToken.None, args);

    public static Task<CliResult> RunAsync(CliEngines engines, params string[] args) => RunAsync(engines, CancellationToken.None, args);
}

internal sealed record CliResult(int ExitCode, string Output, string Error)
{
    public string[] ErrorLines => Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
}
