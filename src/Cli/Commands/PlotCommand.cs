using System.CommandLine;
using GradDiag.Cli.Engines;
using GradDiag.Cli.Infrastructure;
using GradDiag.Cli.Plotting;

namespace GradDiag.Cli.Commands;

/// <summary><c>graddiag plot &lt;logdir&gt; --out file.png</c>: draws the gradient flow of one run with findings marked.</summary>
internal static class PlotCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create(CliServices services)
    {
        var logDirectory = new Argument<DirectoryInfo>("logdir") { Description = "The log folder: a run folder with event files, or a folder of run folders." };
        var output = new Option<FileInfo>("--out", "-o") { Description = "The PNG file to write.", Required = true };
        var width = new Option<int>("--width") { Description = "Image width in pixels (100 to 10000).", DefaultValueFactory = _ => 1600 };
        var height = new Option<int>("--height") { Description = "Image height in pixels (100 to 10000).", DefaultValueFactory = _ => 1000 };
        var kind = new Option<string>("--kind")
        {
            Description = "What to draw: both (heatmap above curves), heatmap (layers by depth against steps, colour = log10 norm) or curves (per-layer norms on a log axis).",
            DefaultValueFactory = _ => "both",
        };
        kind.AcceptOnlyFromAmong("both", "heatmap", "curves");
        var run = new Option<string?>("--run") { Description = "The run to draw, as its folder relative to <logdir>; required when <logdir> contains more than one run." };
        var tags = new Option<string[]>("--tags")
        {
            Description = ReportCommand.TagsDescription,
            AllowMultipleArgumentsPerToken = true,
        };
        var fromStep = new Option<long?>("--from-step") { Description = "First step to draw (inclusive)." };
        var toStep = new Option<long?>("--to-step") { Description = "Last step to draw (inclusive)." };
        var noFindings = new Option<bool>("--no-findings") { Description = "Do not run the detectors, so no findings are marked." };

        foreach (Option<int> size in new[] { width, height })
        {
            size.Validators.Add(result =>
            {
                int value = result.GetValueOrDefault<int>();
                if (value is < 100 or > 10000)
                {
                    result.AddError($"Invalid {size.Name} {value}: it must be between 100 and 10000 pixels.");
                }
            });
        }

        var command = new Command("plot", "Draw a run's gradient flow as a PNG: a heatmap of log10 gradient norm by layer and step, and per-layer norm curves with findings marked.")
        {
            logDirectory, output, width, height, kind, run, tags, fromStep, toStep, noFindings,
        };

        command.Validators.Add(result =>
        {
            if (result.GetValue(fromStep) is long from && result.GetValue(toStep) is long to && from > to)
            {
                result.AddError($"Invalid step range: --from-step {from} is after --to-step {to}.");
            }

            if (result.GetValue(output) is FileInfo file && !file.Extension.Equals(".png", StringComparison.OrdinalIgnoreCase))
            {
                result.AddError($"Invalid --out '{file.Name}': the plot is written as PNG, so the file name must end in .png.");
            }
        });

        CommandAction.Set(command, services, async invocation =>
        {
            ParseResult parse = invocation.ParseResult;
            DirectoryInfo folder = parse.GetValue(logDirectory)!;
            if (!folder.Exists)
            {
                throw new InputException($"Log folder '{folder.FullName}' was not found.");
            }

            CliEngines engines = invocation.Services.Engines;
            IGradientLogReader reader = engines.LogReader
                ?? throw new EngineNotAvailableException("plot", "the TensorBoard event-file reader (GradDiag.Writers)");
            bool markFindings = !parse.GetValue(noFindings);
            IRunAnalyzer? analyzer = markFindings
                ? engines.Analyzer ?? throw new EngineNotAvailableException("plot", "the offline detector pipeline (GradDiag.Detectors); pass --no-findings to plot without findings")
                : null;

            IReadOnlyList<string> patterns = SharedOptions.SplitList(parse.GetValue(tags), []);
            IReadOnlyList<GradientRunLog> logs = await reader.ReadAsync(folder, patterns, invocation.CancellationToken).ConfigureAwait(false);
            GradientRunLog log = SelectRun(logs, parse.GetValue(run), folder, patterns);
            GradientFlowData data = log.Series.SliceSteps(parse.GetValue(fromStep), parse.GetValue(toStep));
            if (data.Steps.Count == 0)
            {
                throw new InputException($"Run '{log.Run}' has no steps between --from-step and --to-step.");
            }

            List<FindingMarker> markers = analyzer is null
                ? []
                : analyzer.Analyze(log, invocation.CancellationToken).Findings.Select(FindingMarker.From).ToList();

            string path = parse.GetValue(output)!.FullName;
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            GradientFlowPlot.SavePng(data, markers, ParseKind(parse.GetValue(kind)!), path, parse.GetValue(width), parse.GetValue(height));
            invocation.Console.WriteLine($"Wrote {path} ({data.Layers.Count} series, {data.Steps.Count} steps, {markers.Count} findings marked).");
            return ExitCodes.Success;
        });

        return command;
    }

    private static GradientRunLog SelectRun(IReadOnlyList<GradientRunLog> all, string? run, DirectoryInfo folder, IReadOnlyList<string> patterns)
    {
        // Runs without a gradient-norm series, such as a Keras validation folder, cannot be drawn.
        List<GradientRunLog> logs = all.Where(l => l.HasSeries).ToList();
        if (logs.Count == 0)
        {
            throw new InputException(Reporting.ReportRunner.NoSeriesMessage(folder, patterns, all));
        }

        if (run is null)
        {
            return logs.Count == 1
                ? logs[0]
                : throw new UsageException($"'{folder.FullName}' contains {logs.Count} runs ({string.Join(", ", logs.Select(l => l.Run))}); choose one with --run.");
        }

        return logs.FirstOrDefault(l => string.Equals(l.Run, run, StringComparison.Ordinal))
            ?? throw new UsageException($"Run '{run}' was not found in '{folder.FullName}'; its runs are {string.Join(", ", logs.Select(l => l.Run))}.");
    }

    private static PlotKind ParseKind(string name) => name switch
    {
        "heatmap" => PlotKind.Heatmap,
        "curves" => PlotKind.Curves,
        _ => PlotKind.Both,
    };
}
