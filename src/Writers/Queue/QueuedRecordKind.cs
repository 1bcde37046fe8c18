namespace GradDiag.Writers.Queue;

/// <summary>The kind of record in a writer's queue.</summary>
internal enum QueuedRecordKind : byte
{
    Scalar,
    Histogram,
    Text,
    Hyperparameters,
}
