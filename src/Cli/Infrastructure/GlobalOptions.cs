using System.CommandLine;

namespace GradDiag.Cli.Infrastructure;

/// <summary>The options every command accepts.</summary>
internal sealed class GlobalOptions
{
    /// <summary>Gets --verbose: print the stack trace of an error and more detail while running.</summary>
    public Option<bool> Verbose { get; } = new("--verbose", "-v")
    {
        Description = "Print more detail, and the stack trace after an error message.",
        Recursive = true,
    };

    /// <summary>Gets --plain: plain lines instead of progress bars and tables.</summary>
    public Option<bool> Plain { get; } = new("--plain")
    {
        Description = "Write plain lines instead of progress bars and boxed tables (the default when output is not a terminal, or CI or NO_COLOR is set).",
        Recursive = true,
    };
}
