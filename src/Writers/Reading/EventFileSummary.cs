namespace GradDiag.Writers.Reading;

/// <summary>What reading one event file found.</summary>
/// <param name="FilePath">The file's full path.</param>
/// <param name="ValidRecords">The number of records whose framing and CRCs were valid and whose payload decoded.</param>
/// <param name="CorruptRecords">The number of records that failed a check.</param>
/// <param name="TrailingBytes">The number of bytes after the last whole record that form an incomplete record; 0 when the file ends on a record boundary.</param>
public sealed record EventFileSummary(string FilePath, long ValidRecords, long CorruptRecords, long TrailingBytes);
