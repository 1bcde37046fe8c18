namespace GradDiag.Writers.TensorBoard;

/// <summary>Settings of the TensorBoard event-file writer.</summary>
public sealed class TensorBoardWriterOptions
{
    /// <summary>Gets or sets the log folder that contains one sub-folder per run; TensorBoard is pointed at it. Required.</summary>
    public string LogDirectory { get; set; } = string.Empty;

    /// <summary>
    /// Gets or sets the run's folder name under <see cref="LogDirectory"/>. The default, null, uses a new folder
    /// named after the start time, such as <c>run-20260101-120000</c>. Reusing the name of an earlier run
    /// resumes it: a new file is added and the restart is recorded.
    /// </summary>
    public string? RunName { get; set; }

    /// <summary>Gets or sets the maximum number of records in the background queue. The default is 16384.</summary>
    public int QueueCapacity { get; set; } = 16384;

    /// <summary>Gets or sets what happens when the queue is full. The default is <see cref="FullQueuePolicy.Wait"/>.</summary>
    public FullQueuePolicy FullQueuePolicy { get; set; } = FullQueuePolicy.Wait;

    /// <summary>Gets or sets how often queued records are written and flushed to disk. The default is 5 seconds.</summary>
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Gets or sets a value indicating whether I/O failures are thrown into the caller: from the constructor when
    /// the file cannot be created, and from the next write call after a failure. The default, false, reports
    /// them through logging and <see cref="ISummaryWriter.Fault"/> only.
    /// </summary>
    public bool FailFast { get; set; }

    /// <summary>Gets or sets what happens when another live writer has the run folder locked. The default is <see cref="RunFolderConflictPolicy.Fail"/>.</summary>
    public RunFolderConflictPolicy RunFolderConflict { get; set; } = RunFolderConflictPolicy.Fail;

    /// <summary>
    /// Gets or sets a value indicating whether scalars are written as rank-0 float32 tensors with the
    /// <c>scalars</c> plugin instead of the legacy <c>simple_value</c>. The default, false, writes
    /// <c>simple_value</c>, which every TensorBoard loader and offline reader accepts.
    /// </summary>
    public bool WriteScalarsAsTensors { get; set; }

    /// <summary>Gets or sets the name stored as the file's writer in its first record. The default is <c>graddiag</c>.</summary>
    public string SourceWriterName { get; set; } = "graddiag";
}
