using GradDiag.Cli.Engines;
using GradDiag.Cli.Infrastructure;

// Commands whose engine is still null in DefaultEngines stop with exit code 4 and name what is missing.
CliEngines engines = DefaultEngines.Create();

var services = new CliServices(engines, Console.Out, Console.Error, Environment.GetEnvironmentVariables(), outputIsTerminal: !Console.IsOutputRedirected);
using var interrupt = new CancellationTokenSource();

// The first Ctrl+C cancels the token, so the command can stop after its current step and flush. A second one ends
// the process at once.
ConsoleCancelEventHandler onCancel = (_, e) =>
{
    if (!interrupt.IsCancellationRequested)
    {
        e.Cancel = true;
        Console.Error.WriteLine("graddiag: stopping after the current step (press Ctrl+C again to abort at once)...");
        interrupt.Cancel();
    }
};

Console.CancelKeyPress += onCancel;
try
{
    return await GradDiagApp.RunAsync(args, services, interrupt.Token).ConfigureAwait(false);
}
finally
{
    Console.CancelKeyPress -= onCancel;
}
