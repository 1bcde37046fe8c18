using System.Globalization;
using GradDiag.Cli.Engines;
using GradDiag.Cli.Infrastructure;
using GradDiag.Cli.Plotting;
using GradDiag.Writers.Reading;
using GradDiag.Writers.Series;

namespace GradDiag.Cli.Logs;

/// <summary>
/// Reads runs with GradDiag.Writers: the tolerant event-file reader finds and reads each run, and the series
/// extractor picks its gradient-norm, global-norm and loss series (its default tag patterns, or --tags).
/// </summary>
internal sealed class TensorBoardGradientLogReader : IGradientLogReader
{
    /// <summary>The row name of a run that has only a global gradient norm.</summary>
    public const string GlobalNormRow = "global norm";

    private readonly TensorBoardLogReader _reader = new();

    /// <inheritdoc/>
    public Task<IReadOnlyList<GradientRunLog>> ReadAsync(DirectoryInfo logDirectory, IReadOnlyList<string> tagPatterns, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(logDirectory);
        ArgumentNullException.ThrowIfNull(tagPatterns);
        var options = new GradientSeriesOptions();
        foreach (string pattern in tagPatterns)
        {
            options.NormTagPatterns.Add(TagPatterns.ToRegex(pattern));
        }

        TensorBoardLogDirectory scanned;
        try
        {
            scanned = TensorBoardLogReader.ScanLogDirectory(logDirectory.FullName);
        }
        catch (TensorBoardFormatException exception)
        {
            throw new InputException(exception.Message, exception);
        }

        string folderName = logDirectory.Name.Length > 0 ? logDirectory.Name : logDirectory.FullName;
        var logs = new List<GradientRunLog>(scanned.Runs.Count);
        foreach (TensorBoardRun run in scanned.Runs)
        {
            cancellationToken.ThrowIfCancellationRequested();
            TensorBoardRunData data;
            try
            {
                data = _reader.ReadRun(run, cancellationToken);
            }
            catch (TensorBoardFormatException exception)
            {
                throw new InputException(exception.Message, exception);
            }

            GradientSeries series = GradientSeriesExtractor.Extract(data, options);
            string reportName = run.Name == "." ? folderName : $"{folderName}/{run.Name}";
            List<string> problems = Describe(data);
            long? lastComplete = problems.Count > 0 ? LastLossStep(data, series) : null;
            IEnumerable<StepStatistics>? statistics = series.IsEmpty ? null : series.EnumerateSteps();
            if (statistics is not null && lastComplete is long last && series.Steps.Count > 0 && series.Steps[^1] > last)
            {
                // A damaged run can end with steps whose loss record was lost. The monitor reads a missing loss as NaN,
                // and after a run of finite losses the detectors take NaN as a real non-finite loss, so these steps
                // are left out of the analysis (they are still drawn).
                int dropped = series.Steps.Count(step => step > last);
                problems.Add(string.Create(CultureInfo.InvariantCulture,
                    $"run '{reportName}': the last {dropped} step(s) after step {last} have gradient norms but no loss record, so they were left out of the analysis."));
                statistics = statistics.Where(step => step.Step <= last);
            }

            logs.Add(new GradientRunLog(run.Name, ToFlowData(series))
            {
                ReportName = reportName,
                Statistics = statistics,
                AvailableTags = series.AvailableTags,
                Problems = problems,
            });
        }

        return Task.FromResult<IReadOnlyList<GradientRunLog>>(logs);
    }

    /// <summary>Builds the plot matrix: one row per parameter, or one global-norm row when the run has only that.</summary>
    private static GradientFlowData ToFlowData(GradientSeries series)
    {
        if (series.IsEmpty)
        {
            return new GradientFlowData([], [], new double[0, 0]);
        }

        bool globalOnly = series.Parameters.Count == 0;
        string[] rows = globalOnly ? [GlobalNormRow] : series.Parameters.Select(p => p.Name).ToArray();
        var norms = new double[rows.Length, series.Steps.Count];
        int column = 0;
        foreach (StepStatistics step in series.EnumerateSteps())
        {
            if (globalOnly)
            {
                norms[0, column] = step.GlobalNorm;
            }
            else
            {
                ReadOnlySpan<ParameterStatistics> perParameter = step.PerParameter;
                for (int row = 0; row < rows.Length; row++)
                {
                    norms[row, column] = perParameter[row].L2Norm;
                }
            }

            column++;
        }

        return new GradientFlowData(rows, series.Steps, norms);
    }

    /// <summary>Returns the last step of the run's loss series, or null when it has none.</summary>
    private static long? LastLossStep(TensorBoardRunData data, GradientSeries series)
    {
        if (series.LossTag is not string tag)
        {
            return null;
        }

        long? last = null;
        foreach (SummaryRecord record in data.Records)
        {
            if (record.Kind == SummaryRecordKind.Scalar && string.Equals(record.Tag, tag, StringComparison.Ordinal) && (last is null || record.Step > last))
            {
                last = record.Step;
            }
        }

        return last;
    }

    private static List<string> Describe(TensorBoardRunData data)
    {
        var problems = data.Issues
            .Select(issue => $"damaged event file: {issue.Message}")
            .ToList();
        foreach (EventFileSummary file in data.Files.Where(f => f.TrailingBytes > 0))
        {
            if (!data.Issues.Any(issue => issue.FilePath == file.FilePath && issue.Kind == EventFileIssueKind.TruncatedRecord))
            {
                problems.Add(string.Create(CultureInfo.InvariantCulture,
                    $"damaged event file: '{file.FilePath}' ends inside a record: the last {file.TrailingBytes} bytes were not read (the writer may have been stopped mid-record)."));
            }
        }

        return problems;
    }
}
