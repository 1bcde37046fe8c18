using System.Collections;
using GradDiag.Cli.Engines;
using GradDiag.Cli.Output;

namespace GradDiag.Cli.Infrastructure;

/// <summary>What the commands share: the engines, the global options and the process's streams and environment.</summary>
internal sealed class CliServices
{
    /// <summary>Creates the services.</summary>
    /// <param name="engines">The wired engines.</param>
    /// <param name="output">Standard output.</param>
    /// <param name="error">Standard error.</param>
    /// <param name="environment">The environment variables (CI, NO_COLOR, TERM are read).</param>
    /// <param name="outputIsTerminal">True when standard output is an interactive terminal.</param>
    public CliServices(CliEngines engines, TextWriter output, TextWriter error, IDictionary environment, bool outputIsTerminal)
    {
        ArgumentNullException.ThrowIfNull(engines);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        ArgumentNullException.ThrowIfNull(environment);
        Engines = engines;
        Output = output;
        Error = error;
        Environment = environment;
        OutputIsTerminal = outputIsTerminal;
    }

    /// <summary>Gets the wired engines.</summary>
    public CliEngines Engines { get; }

    /// <summary>Gets the options every command accepts.</summary>
    public GlobalOptions Globals { get; } = new();

    /// <summary>Gets standard output.</summary>
    public TextWriter Output { get; }

    /// <summary>Gets standard error.</summary>
    public TextWriter Error { get; }

    /// <summary>Gets the environment variables.</summary>
    public IDictionary Environment { get; }

    /// <summary>Gets a value indicating whether standard output is an interactive terminal.</summary>
    public bool OutputIsTerminal { get; }

    /// <summary>Creates the console for one invocation, rich or plain as <see cref="ConsoleModeSelector"/> decides.</summary>
    public ICliConsole CreateConsole(bool plainRequested)
    {
        ConsoleMode mode = ConsoleModeSelector.Select(plainRequested, OutputIsTerminal, Environment);
        return mode == ConsoleMode.Rich ? SpectreConsole.ForTerminal(Output, Error) : new PlainConsole(Output, Error);
    }
}
