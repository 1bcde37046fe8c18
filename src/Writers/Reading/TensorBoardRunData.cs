namespace GradDiag.Writers.Reading;

/// <summary>Everything read from one run's event files.</summary>
public sealed class TensorBoardRunData
{
    internal TensorBoardRunData(TensorBoardRun run, IReadOnlyList<SummaryRecord> records, IReadOnlyList<string> tags, IReadOnlyList<EventFileIssue> issues, IReadOnlyList<EventFileSummary> files)
    {
        Run = run;
        Records = records;
        Tags = tags;
        Issues = issues;
        Files = files;
    }

    /// <summary>Gets the run that was read.</summary>
    public TensorBoardRun Run { get; }

    /// <summary>Gets the records, grouped by tag in the order tags first appeared, each tag in ascending step order.</summary>
    public IReadOnlyList<SummaryRecord> Records { get; }

    /// <summary>Gets every tag that has at least one record, in the order the tags first appeared.</summary>
    public IReadOnlyList<string> Tags { get; }

    /// <summary>Gets the problems found, in file and offset order.</summary>
    public IReadOnlyList<EventFileIssue> Issues { get; }

    /// <summary>Gets what was found in each file, in reading order.</summary>
    public IReadOnlyList<EventFileSummary> Files { get; }
}
