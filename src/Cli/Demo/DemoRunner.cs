using System.Globalization;
using GradDiag.Cli.Data;
using GradDiag.Cli.Engines;
using GradDiag.Cli.Output;
using GradDiag.Cli.Training;

namespace GradDiag.Cli.Demo;

/// <summary>
/// The engine behind <c>graddiag demo</c>: writes the three demo models, trains each on the digits data with
/// <see cref="OrtTrainer"/> into one log folder, and prints a table of verdicts and findings with their evidence.
/// </summary>
/// <param name="trainer">The trainer of each run.</param>
internal sealed class DemoRunner(ITrainer trainer) : IDemoRunner
{
    /// <inheritdoc/>
    public async Task<IReadOnlyList<RunReport>> RunAsync(DemoSettings settings, ICliConsole console, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(console);
        var reports = new List<RunReport>();
        for (int index = 0; index < DemoRun.All.Count; index++)
        {
            DemoRun run = DemoRun.All[index];
            var modelPath = new FileInfo(Path.Combine(settings.LogDirectory.FullName, "models", run.Model.Name + ".onnx"));
            run.Model.Save(modelPath.FullName, settings.Seed + index);
            TrainSettings trainSettings = run.Settings(settings, modelPath);
            (Dataset data, _) = DatasetLoader.Load(trainSettings);
            console.WriteLine($"Run {index + 1} of {DemoRun.All.Count}: {run.Model.Name} ({run.Purpose}).");
            RunReport report = await trainer.TrainAsync(new TrainRequest(trainSettings, data, null), console, cancellationToken).ConfigureAwait(false);
            reports.Add(report);
            if (report.Interrupted)
            {
                break;
            }
        }

        console.WriteTable(SummaryTable(reports));
        console.WriteLine($"Reports: {string.Join(", ", reports.Select(r => Path.Combine(settings.LogDirectory.FullName, r.Run, OrtTrainer.ReportFileName)))}");
        console.WriteLine($"View the runs side by side: tensorboard --logdir {settings.LogDirectory.FullName}");
        return reports;
    }

    /// <summary>Builds one row per finding (or one row for a run without findings) with the numbers behind it.</summary>
    private static TableContent SummaryTable(IReadOnlyList<RunReport> reports)
    {
        var rows = new List<IReadOnlyList<string>>();
        foreach (RunReport report in reports)
        {
            string verdict = report.Verdict.ToString().ToLowerInvariant();
            if (report.Findings.Count == 0)
            {
                rows.Add([report.Run, verdict, "-", "-", "-", "-"]);
                continue;
            }

            // The first finding of each kind shows its evidence; the rest of that kind are counted.
            foreach (IGrouping<FindingKind, Finding> kind in report.Findings.GroupBy(f => f.Kind))
            {
                Finding first = kind.OrderBy(f => f.FirstStep).First();
                string layers = string.Join(", ", kind.SelectMany(f => f.Layers.Count > 0 ? f.Layers : [f.Evidence.Series]).Distinct(StringComparer.Ordinal));
                rows.Add(
                [
                    report.Run,
                    verdict,
                    $"{kind.Key} ({first.Severity.ToString().ToLowerInvariant()}, {kind.Count()}x)",
                    layers,
                    string.Create(CultureInfo.InvariantCulture, $"step {first.FirstStep}"),
                    Evidence(first),
                ]);
            }
        }

        return new TableContent("Demo verdicts", ["run", "verdict", "finding", "where", "condition began", "evidence (first finding)"], rows);
    }

    private static string Evidence(Finding finding)
    {
        IEnumerable<string> values = finding.Evidence.Values
            .Take(2)
            .Select(pair => string.Create(CultureInfo.InvariantCulture, $"{pair.Key}={pair.Value:G3}"));
        return string.Join(", ", values);
    }
}
