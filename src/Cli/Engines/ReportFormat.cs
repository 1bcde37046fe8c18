namespace GradDiag.Cli.Engines;

/// <summary>An output format of <c>graddiag report</c>.</summary>
internal enum ReportFormat
{
    /// <summary>Human-readable verdicts and tables, written by the CLI itself.</summary>
    Text,

    /// <summary>The report's JSON document.</summary>
    Json,

    /// <summary>A Markdown summary, for example for a pull-request comment.</summary>
    Markdown,

    /// <summary>JUnit XML, one test case per detector and run.</summary>
    JUnit,

    /// <summary>GitHub Actions workflow commands (<c>::error ...</c>) that show as annotations.</summary>
    GitHub,
}
