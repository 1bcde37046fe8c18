namespace GradDiag.Writers.Reading;

/// <summary>Settings of <see cref="TensorBoardLogReader"/>.</summary>
public sealed class TensorBoardReaderOptions
{
    /// <summary>Gets or sets what happens at a corrupt record. The default is <see cref="CorruptRecordHandling.Skip"/>.</summary>
    public CorruptRecordHandling CorruptRecords { get; set; } = CorruptRecordHandling.Skip;

    /// <summary>Gets or sets how repeated and decreasing steps are handled. The default is <see cref="StepOrdering.ReplaceLaterSteps"/>.</summary>
    public StepOrdering StepOrdering { get; set; } = StepOrdering.ReplaceLaterSteps;

    /// <summary>
    /// Gets or sets the largest record payload accepted, in bytes; a larger declared length is treated as
    /// corruption. The default is 256 MiB. Must be at least 1.
    /// </summary>
    public long MaxRecordLength { get; set; } = 256L * 1024 * 1024;
}
