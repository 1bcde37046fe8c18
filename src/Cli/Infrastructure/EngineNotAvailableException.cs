namespace GradDiag.Cli.Infrastructure;

/// <summary>
/// Raised when a command needs an engine (trainer, event-file reader, detectors, ONNX tools) that this build does
/// not contain. The command exits with <see cref="ExitCodes.NotAvailable"/> and has produced no output.
/// </summary>
internal sealed class EngineNotAvailableException : Exception
{
    /// <summary>Creates the exception for a command and the engine it lacks.</summary>
    /// <param name="command">The command name, for example <c>report</c>.</param>
    /// <param name="engine">What is missing, for example <c>the TensorBoard event-file reader (GradDiag.Writers)</c>.</param>
    public EngineNotAvailableException(string command, string engine)
        : base($"'graddiag {command}' is not available in this build yet: it needs {engine}, which is not wired into the command, so nothing was done.")
    {
        Command = command;
        Engine = engine;
    }

    /// <summary>Gets the command that could not run.</summary>
    public string Command { get; }

    /// <summary>Gets a description of the missing engine.</summary>
    public string Engine { get; }
}
