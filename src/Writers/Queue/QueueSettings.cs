namespace GradDiag.Writers.Queue;

/// <summary>The validated queue settings a writer hands to its <see cref="RecordQueue"/>.</summary>
internal sealed record QueueSettings(string WriterName, int Capacity, FullQueuePolicy Policy, TimeSpan FlushInterval, bool FailFast);
