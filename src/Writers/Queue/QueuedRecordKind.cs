namespace GradDiag.Writers.Queue;

/// <summary>The kind of entry in a writer's queue.</summary>
internal enum QueuedRecordKind : byte
{
    Scalar,
    Histogram,
    Text,
    Hyperparameters,

    /// <summary>A flush request; <see cref="QueuedRecord.Payload"/> is the <see cref="TaskCompletionSource"/> to complete.</summary>
    Flush,

    /// <summary>Wakes the background loop so that it can run a periodic flush.</summary>
    Wake,
}
