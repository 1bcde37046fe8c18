using System.Collections;

namespace GradDiag.Cli.Output;

/// <summary>Chooses between rich and plain output.</summary>
internal static class ConsoleModeSelector
{
    /// <summary>
    /// Returns <see cref="ConsoleMode.Plain"/> when --plain was given, when standard output is not an interactive
    /// terminal, when <c>CI</c> is set to a value other than <c>false</c> or <c>0</c>, when <c>NO_COLOR</c> is set
    /// to any non-empty value, or when <c>TERM</c> is <c>dumb</c>; otherwise <see cref="ConsoleMode.Rich"/>.
    /// </summary>
    /// <param name="plainRequested">True when the user passed --plain.</param>
    /// <param name="outputIsTerminal">True when standard output is an interactive terminal.</param>
    /// <param name="environment">The environment variables, as <see cref="Environment.GetEnvironmentVariables()"/> returns them.</param>
    public static ConsoleMode Select(bool plainRequested, bool outputIsTerminal, IDictionary environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        if (plainRequested || !outputIsTerminal)
        {
            return ConsoleMode.Plain;
        }

        string? ci = environment["CI"] as string;
        if (!string.IsNullOrWhiteSpace(ci) && !ci.Equals("false", StringComparison.OrdinalIgnoreCase) && ci != "0")
        {
            return ConsoleMode.Plain;
        }

        if (!string.IsNullOrEmpty(environment["NO_COLOR"] as string))
        {
            return ConsoleMode.Plain;
        }

        return string.Equals(environment["TERM"] as string, "dumb", StringComparison.Ordinal) ? ConsoleMode.Plain : ConsoleMode.Rich;
    }
}
