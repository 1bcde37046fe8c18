namespace GradDiag.Writers.Reading;

/// <summary>What the reader does when a record fails its CRC check, declares an impossible length or does not decode.</summary>
public enum CorruptRecordHandling
{
    /// <summary>
    /// The issue is reported and reading goes on. A record with a valid length CRC is skipped; after an invalid
    /// length the reader scans forward byte by byte for the next record whose length and data CRCs both match.
    /// </summary>
    Skip = 0,

    /// <summary>The issue is reported and the rest of that file is not read, as TensorBoard does.</summary>
    StopFile = 1,

    /// <summary>A <see cref="TensorBoardFormatException"/> naming the file and offset is thrown.</summary>
    Throw = 2,
}
