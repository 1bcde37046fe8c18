using System.CommandLine;
using GradDiag.Cli.Engines;

namespace GradDiag.Cli.Commands;

/// <summary>The --format option of <c>graddiag report</c>.</summary>
internal static class ReportOptions
{
    private static readonly string[] FormatNames = ["text", "json", "markdown", "junit", "github"];

    /// <summary>Creates --format.</summary>
    public static Option<string> CreateFormat()
    {
        var option = new Option<string>("--format", "-f")
        {
            Description = "Report format: text (verdicts and tables), json, markdown, junit (JUnit XML) or github (GitHub Actions annotations).",
            DefaultValueFactory = _ => "text",
        };
        option.AcceptOnlyFromAmong(FormatNames);
        return option;
    }

    /// <summary>Maps a --format name to its value.</summary>
    public static ReportFormat ParseFormat(string name) => name switch
    {
        "text" => ReportFormat.Text,
        "json" => ReportFormat.Json,
        "markdown" => ReportFormat.Markdown,
        "junit" => ReportFormat.JUnit,
        "github" => ReportFormat.GitHub,
        _ => throw new Infrastructure.UsageException($"Invalid --format '{name}': expected one of {string.Join(", ", FormatNames)}."),
    };
}
