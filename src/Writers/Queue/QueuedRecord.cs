namespace GradDiag.Writers.Queue;

/// <summary>
/// One queued summary record. A struct, so that queuing a scalar allocates nothing; the tag and text are the
/// caller's strings, and <see cref="Payload"/> is a copied histogram, a copied hyperparameter dictionary
/// or a flush completion.
/// </summary>
internal readonly struct QueuedRecord(QueuedRecordKind kind, string? tag, long step, double wallTime, double value, object? payload)
{
    public QueuedRecordKind Kind { get; } = kind;

    public string? Tag { get; } = tag;

    public long Step { get; } = step;

    /// <summary>Seconds since the Unix epoch when the record was queued.</summary>
    public double WallTime { get; } = wallTime;

    public double Value { get; } = value;

    public object? Payload { get; } = payload;
}
