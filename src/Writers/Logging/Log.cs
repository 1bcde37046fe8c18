using Microsoft.Extensions.Logging;

namespace GradDiag.Writers.Logging;

/// <summary>Log messages of GradDiag.Writers; event ids 200 to 299 belong to this assembly.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 200, EventName = "WriterFaulted", Level = LogLevel.Error,
        Message = "Summary writer '{Writer}' failed on '{Path}' and stops writing; later records are dropped.")]
    public static partial void WriterFaulted(ILogger logger, string writer, string path, Exception exception);

    [LoggerMessage(EventId = 201, EventName = "OutOfOrderStep", Level = LogLevel.Warning,
        Message = "Summary writer '{Writer}' dropped tag '{Tag}' at step {Step} because the tag was already written at step {LastStep}; steps of a tag must not decrease. Later drops of this tag are only counted.")]
    public static partial void OutOfOrderStep(ILogger logger, string writer, string tag, long step, long lastStep);

    [LoggerMessage(EventId = 202, EventName = "ValueClamped", Level = LogLevel.Warning,
        Message = "Summary writer '{Writer}' clamped tag '{Tag}' at step {Step}: value {Value} does not fit a 32-bit float. Later clamps of this tag are only counted.")]
    public static partial void ValueClamped(ILogger logger, string writer, string tag, long step, double value);

    [LoggerMessage(EventId = 203, EventName = "StaleLockTaken", Level = LogLevel.Information,
        Message = "Took over the lock file '{LockPath}' left by process {ProcessId} on host '{Host}', which no longer holds it.")]
    public static partial void StaleLockTaken(ILogger logger, string lockPath, string processId, string host);

    [LoggerMessage(EventId = 204, EventName = "WriterStarted", Level = LogLevel.Information,
        Message = "Summary writer '{Writer}' writes to '{Path}'.")]
    public static partial void WriterStarted(ILogger logger, string writer, string path);

    [LoggerMessage(EventId = 205, EventName = "WriterStopped", Level = LogLevel.Information,
        Message = "Summary writer '{Writer}' stopped after {Written} records; {Dropped} records were dropped.")]
    public static partial void WriterStopped(ILogger logger, string writer, long written, long dropped);

    [LoggerMessage(EventId = 206, EventName = "RecordsDropped", Level = LogLevel.Warning,
        Message = "Summary writer '{Writer}' dropped a {Kind} record because its queue of {Capacity} records is full. Later drops are only counted.")]
    public static partial void RecordsDropped(ILogger logger, string writer, string kind, int capacity);

    [LoggerMessage(EventId = 207, EventName = "RunFolderInUse", Level = LogLevel.Warning,
        Message = "Run folder '{InUsePath}' is in use by another writer; writing to '{NewPath}' instead.")]
    public static partial void RunFolderInUse(ILogger logger, string inUsePath, string newPath);

    [LoggerMessage(EventId = 208, EventName = "RestartRecorded", Level = LogLevel.Information,
        Message = "Event file '{Path}' continues a run folder that already holds event files; recorded a restart at step {Step} so that TensorBoard drops the old points from that step on.")]
    public static partial void RestartRecorded(ILogger logger, string path, long step);

    [LoggerMessage(EventId = 209, EventName = "LockFileNotDeleted", Level = LogLevel.Warning,
        Message = "Could not delete the lock file '{LockPath}'; a later writer will detect it as stale.")]
    public static partial void LockFileNotDeleted(ILogger logger, string lockPath, Exception exception);
}
