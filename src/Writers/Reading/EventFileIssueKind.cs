namespace GradDiag.Writers.Reading;

/// <summary>What was wrong at a place in an event file.</summary>
public enum EventFileIssueKind
{
    /// <summary>The file ends inside a record, as when the writer is still writing or was killed.</summary>
    TruncatedRecord = 0,

    /// <summary>The CRC of a record's length field does not match, so the length cannot be trusted.</summary>
    LengthCrcMismatch = 1,

    /// <summary>A record declares a length above <see cref="TensorBoardReaderOptions.MaxRecordLength"/>.</summary>
    RecordTooLarge = 2,

    /// <summary>The CRC of a record's payload does not match.</summary>
    DataCrcMismatch = 3,

    /// <summary>The payload passed its CRC check but is not a valid Event message.</summary>
    InvalidEvent = 4,

    /// <summary>After corruption, bytes were skipped to reach the next valid record.</summary>
    SkippedBytes = 5,
}
