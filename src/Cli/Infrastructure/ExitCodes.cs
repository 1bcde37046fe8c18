namespace GradDiag.Cli.Infrastructure;

/// <summary>The exit codes of every graddiag command; docs/getting-started.md lists the same table.</summary>
internal static class ExitCodes
{
    /// <summary>The command succeeded and, for commands that judge a run, no finding reached the --fail-on level.</summary>
    public const int Success = 0;

    /// <summary>At least one finding is at or above the --fail-on severity.</summary>
    public const int FindingsAtOrAboveThreshold = 1;

    /// <summary>Bad usage (unknown option, invalid value, conflicting options) or an input that is missing, unreadable or invalid.</summary>
    public const int UsageOrInput = 2;

    /// <summary>An unexpected internal error; rerun with --verbose for the stack trace.</summary>
    public const int InternalError = 3;

    /// <summary>The command's engine is not part of this build yet, so the command did nothing.</summary>
    public const int NotAvailable = 4;

    /// <summary>The run was interrupted with Ctrl+C (128 + SIGINT, as shells report it).</summary>
    public const int Interrupted = 130;
}
