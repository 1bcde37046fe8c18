namespace GradDiag.Writers.JsonLines;

/// <summary>Settings of the JSON Lines summary writer.</summary>
public sealed class JsonLinesWriterOptions
{
    /// <summary>Gets or sets the file to append to; its folder is created when missing. Required.</summary>
    public string FilePath { get; set; } = string.Empty;

    /// <summary>Gets or sets the maximum number of records in the background queue. The default is 16384.</summary>
    public int QueueCapacity { get; set; } = 16384;

    /// <summary>Gets or sets what happens when the queue is full. The default is <see cref="FullQueuePolicy.Wait"/>.</summary>
    public FullQueuePolicy FullQueuePolicy { get; set; } = FullQueuePolicy.Wait;

    /// <summary>Gets or sets how often queued records are written and flushed to disk. The default is 5 seconds.</summary>
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Gets or sets a value indicating whether I/O failures are thrown into the caller. The default is false.</summary>
    public bool FailFast { get; set; }
}
