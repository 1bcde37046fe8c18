using System.CommandLine;
using System.CommandLine.Parsing;
using GradDiag.Cli.Engines;
using GradDiag.Cli.Infrastructure;
using GradDiag.Cli.Reporting;

namespace GradDiag.Cli.Commands;

/// <summary><c>graddiag report &lt;logdir&gt;</c>: reads event files, runs the detectors and writes a verdict for CI.</summary>
internal static class ReportCommand
{
    /// <summary>Gets the help text of --tags, shared with <c>plot</c>; the default patterns live in GradDiag.Writers' series extractor.</summary>
    public const string TagsDescription =
        "Tag patterns of the gradient-norm series, comma-separated or repeated; * matches any characters and the last * is the parameter name, " +
        "a pattern without * is the tag of a total norm. Default: the tags PyTorch, Keras, Lightning and GradDiag write, such as " +
        "grad_norm/<parameter>, gradient_norm/<parameter>, grad_2.0_norm/<parameter>, gradients/<parameter>/norm and total_norm.";

    /// <summary>Creates the command.</summary>
    public static Command Create(CliServices services)
    {
        var logDirectory = new Argument<DirectoryInfo>("logdir")
        {
            Description = "The log folder: a run folder with event files, or a folder of run folders.",
        };
        var tags = new Option<string[]>("--tags")
        {
            Description = TagsDescription,
            AllowMultipleArgumentsPerToken = true,
        };
        var format = ReportOptions.CreateFormat();
        var output = new Option<FileInfo?>("--output", "-o")
        {
            Description = "Write the report to this file instead of standard output (written to a temporary file first, then moved into place).",
        };
        var failOn = SharedOptions.CreateFailOn();

        var command = new Command("report", "Read event files, run the detectors over the gradient series and write a verdict; the exit code is 1 when a finding reaches --fail-on.")
        {
            logDirectory, tags, format, output, failOn,
        };

        command.Validators.Add(result =>
        {
            // Reads the raw token: GetValue would throw on a value outside the allowed formats, which the parser reports itself.
            IReadOnlyList<Token> formatTokens = result.GetResult(format)?.Tokens ?? [];
            string? formatToken = formatTokens.Count > 0 ? formatTokens[^1].Value : null;
            if (formatToken == "github" && result.GetResult(output) is { Implicit: false })
            {
                result.AddError("Options --format github and --output cannot be used together: GitHub reads annotations from standard output.");
            }
        });

        CommandAction.Set(command, services, invocation =>
        {
            ParseResult parse = invocation.ParseResult;
            var settings = new ReportSettings(
                parse.GetValue(logDirectory)!,
                SharedOptions.SplitList(parse.GetValue(tags), []),
                ReportOptions.ParseFormat(parse.GetValue(format)!),
                parse.GetValue(output),
                FailOnThreshold.Parse(parse.GetValue(failOn)!));
            return new ReportRunner(invocation).RunAsync(settings);
        });

        return command;
    }
}
