using GradDiag.Writers.Protocol;

namespace GradDiag.Writers.Reading;

/// <summary>
/// Reads TensorBoard log folders written by GradDiag, TensorFlow and Keras, PyTorch, tensorboardX and TorchSharp.
/// </summary>
/// <remarks>
/// Damage is tolerated: an incomplete last record ends a file without error, and corrupt records are reported in
/// <see cref="TensorBoardRunData.Issues"/> with file and offset and handled by
/// <see cref="TensorBoardReaderOptions.CorruptRecords"/>. The only exception thrown for bad data is
/// <see cref="TensorBoardFormatException"/>. Instances are immutable and safe to share between threads.
/// </remarks>
public sealed class TensorBoardLogReader
{
    private readonly TensorBoardReaderOptions _options;

    /// <summary>Creates a reader.</summary>
    /// <param name="options">The reader's settings; null for the defaults.</param>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="TensorBoardReaderOptions.MaxRecordLength"/> is below 1.</exception>
    public TensorBoardLogReader(TensorBoardReaderOptions? options = null)
    {
        options ??= new TensorBoardReaderOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxRecordLength, 1, nameof(options));
        _options = new TensorBoardReaderOptions
        {
            CorruptRecords = options.CorruptRecords,
            StepOrdering = options.StepOrdering,
            MaxRecordLength = options.MaxRecordLength,
        };
    }

    /// <summary>
    /// Finds the runs under a log folder: every folder, the log folder included, that directly contains a file whose
    /// name contains <c>tfevents</c> (names ending in <c>.profile-empty</c> excepted). A path to a single event file
    /// gives one run named <c>.</c> holding that file.
    /// </summary>
    /// <param name="path">The log folder, or one event file.</param>
    /// <returns>The runs in ordinal name order and the number of other files.</returns>
    /// <exception cref="DirectoryNotFoundException"><paramref name="path"/> does not exist.</exception>
    /// <exception cref="TensorBoardFormatException">The folder contains no event file.</exception>
    public static TensorBoardLogDirectory ScanLogDirectory(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        string root = Path.GetFullPath(path);
        if (File.Exists(root))
        {
            if (!IsEventFile(root))
            {
                throw new TensorBoardFormatException($"'{root}' is not an event file: its name does not contain 'tfevents'.", root, null);
            }

            return new TensorBoardLogDirectory(root, [new TensorBoardRun(".", Path.GetDirectoryName(root)!, [root])], 0);
        }

        if (!Directory.Exists(root))
        {
            throw new DirectoryNotFoundException($"Log folder '{root}' does not exist. Pass the folder given to TensorBoard's --logdir, or one event file.");
        }

        var filesByFolder = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
        int ignored = 0;
        var enumeration = new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = FileAttributes.None };
        foreach (string file in Directory.EnumerateFiles(root, "*", enumeration))
        {
            if (!IsEventFile(file))
            {
                ignored++;
                continue;
            }

            string folder = Path.GetDirectoryName(file)!;
            if (!filesByFolder.TryGetValue(folder, out List<string>? files))
            {
                files = [];
                filesByFolder.Add(folder, files);
            }

            files.Add(file);
        }

        if (filesByFolder.Count == 0)
        {
            throw new TensorBoardFormatException(
                $"Log folder '{root}' contains no event files (files whose name contains 'tfevents'); {ignored} other files were ignored. Check that the path is the folder TensorBoard reads.",
                root,
                null);
        }

        List<TensorBoardRun> runs = filesByFolder
            .Select(entry => new TensorBoardRun(RunName(root, entry.Key), entry.Key, entry.Value.Order(StringComparer.Ordinal).ToArray()))
            .OrderBy(run => run.Name, StringComparer.Ordinal)
            .ToList();
        return new TensorBoardLogDirectory(root, runs, ignored);
    }

    /// <summary>Reads every event file of a run, in name order, into records ordered by tag and step.</summary>
    /// <exception cref="TensorBoardFormatException">A record is corrupt and <see cref="CorruptRecordHandling.Throw"/> is set.</exception>
    /// <exception cref="IOException">A file cannot be opened or read.</exception>
    public TensorBoardRunData ReadRun(TensorBoardRun run, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(run);
        var builder = new RunRecordBuilder(run.Name, _options.StepOrdering);
        var issues = new List<EventFileIssue>();
        var files = new List<EventFileSummary>();
        foreach (string file in run.EventFiles)
        {
            cancellationToken.ThrowIfCancellationRequested();
            files.Add(EventFileReader.Read(file, _options, issues, builder));
        }

        (List<SummaryRecord> records, List<string> tags) = builder.Build();
        return new TensorBoardRunData(run, records, tags, issues, files);
    }

    /// <summary>Finds the runs under <paramref name="path"/> and reads each of them.</summary>
    /// <exception cref="DirectoryNotFoundException"><paramref name="path"/> does not exist.</exception>
    /// <exception cref="TensorBoardFormatException">The folder contains no event file, or a record is corrupt and <see cref="CorruptRecordHandling.Throw"/> is set.</exception>
    public IReadOnlyList<TensorBoardRunData> ReadLogDirectory(string path, CancellationToken cancellationToken = default) =>
        ScanLogDirectory(path).Runs.Select(run => ReadRun(run, cancellationToken)).ToList();

    /// <summary>Reads the raw events of one file in order, for tools that need fields the records leave out.</summary>
    internal IReadOnlyList<(long Offset, Event Event)> ReadEvents(string file, List<EventFileIssue> issues)
    {
        var collector = new EventCollector();
        EventFileReader.Read(file, _options, issues, collector);
        return collector.Events;
    }

    private static bool IsEventFile(string path)
    {
        string name = Path.GetFileName(path);
        return name.Contains("tfevents", StringComparison.Ordinal) && !name.EndsWith(".profile-empty", StringComparison.Ordinal);
    }

    private static string RunName(string root, string folder)
    {
        string relative = Path.GetRelativePath(root, folder);
        return relative == "." ? "." : relative.Replace(Path.DirectorySeparatorChar, '/');
    }
}
