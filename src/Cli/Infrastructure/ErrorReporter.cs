using System.Security;
using System.Text.Json;

namespace GradDiag.Cli.Infrastructure;

/// <summary>Turns an exception that escaped a command into one stderr line and an exit code.</summary>
internal static class ErrorReporter
{
    /// <summary>Returns the exit code for an exception.</summary>
    public static int ExitCodeFor(Exception exception, bool cancellationRequested)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return exception switch
        {
            OperationCanceledException when cancellationRequested => ExitCodes.Interrupted,
            UsageException or InputException => ExitCodes.UsageOrInput,
            FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException or SecurityException => ExitCodes.UsageOrInput,
            JsonException or InvalidDataException => ExitCodes.UsageOrInput,
            IOException => ExitCodes.UsageOrInput,
            EngineNotAvailableException => ExitCodes.NotAvailable,
            _ => ExitCodes.InternalError,
        };
    }

    /// <summary>
    /// Writes the error as one line to <paramref name="error"/>; with <paramref name="verbose"/> the full exception,
    /// stack trace included, follows on the next lines.
    /// </summary>
    /// <returns>The exit code for the exception.</returns>
    public static int Report(Exception exception, TextWriter error, bool verbose, bool cancellationRequested)
    {
        ArgumentNullException.ThrowIfNull(exception);
        ArgumentNullException.ThrowIfNull(error);
        int exitCode = ExitCodeFor(exception, cancellationRequested);
        string message = exitCode switch
        {
            ExitCodes.Interrupted => "interrupted (Ctrl+C); partial results were flushed where the command writes any.",
            ExitCodes.InternalError => $"internal error: {exception.GetType().Name}: {OneLine(exception.Message)}" +
                (verbose ? string.Empty : " (rerun with --verbose for the stack trace)"),
            _ => OneLine(exception.Message),
        };

        error.WriteLine($"graddiag: {message}");
        if (verbose)
        {
            error.WriteLine(exception.ToString());
        }

        return exitCode;
    }

    /// <summary>Joins the lines of a message so that every error stays a single stderr line.</summary>
    public static string OneLine(string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return string.Join(' ', message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }
}
