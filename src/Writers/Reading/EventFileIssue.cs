namespace GradDiag.Writers.Reading;

/// <summary>A problem found while reading an event file.</summary>
/// <param name="FilePath">The file's full path.</param>
/// <param name="Offset">The byte offset of the record (or of the skipped range) in the file.</param>
/// <param name="Kind">What was wrong.</param>
/// <param name="Message">A sentence describing the problem with the numbers involved.</param>
public sealed record EventFileIssue(string FilePath, long Offset, EventFileIssueKind Kind, string Message);
