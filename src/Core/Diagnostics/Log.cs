using Microsoft.Extensions.Logging;

namespace GradDiag;

/// <summary>The log messages of the GradDiag assembly; event ids 1 to 99 belong to it and keep their meaning.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1, EventName = "MonitorStarted", Level = LogLevel.Information,
        Message = "Gradient monitor watches {ParameterCount} parameters with {WriterCount} writers and {DetectorCount} detectors")]
    public static partial void MonitorStarted(ILogger logger, int parameterCount, int writerCount, int detectorCount);

    [LoggerMessage(EventId = 2, EventName = "StepNotIncreasing", Level = LogLevel.Warning,
        Message = "Step {Step} is not after the last observed step {LastStep}; it is skipped and not shown to detectors ({RejectedCount} such steps so far)")]
    public static partial void StepNotIncreasing(ILogger logger, long step, long lastStep, long rejectedCount);

    [LoggerMessage(EventId = 3, EventName = "WriterFailed", Level = LogLevel.Error,
        Message = "Summary writer '{WriterName}' threw and is disabled for the rest of the run")]
    public static partial void WriterFailed(ILogger logger, string writerName, Exception exception);

    [LoggerMessage(EventId = 4, EventName = "DetectorFailed", Level = LogLevel.Error,
        Message = "Detector '{DetectorName}' threw at step {Step} and is disabled for the rest of the run")]
    public static partial void DetectorFailed(ILogger logger, string detectorName, long step, Exception exception);

    [LoggerMessage(EventId = 5, EventName = "FindingOpened", Level = LogLevel.Warning,
        Message = "Finding {FindingId} opened at step {Step} ({Severity}): {FindingMessage}")]
    public static partial void FindingOpened(ILogger logger, string findingId, long step, Severity severity, string findingMessage);

    [LoggerMessage(EventId = 6, EventName = "FindingClosed", Level = LogLevel.Information,
        Message = "Finding {FindingId} closed at step {Step}")]
    public static partial void FindingClosed(ILogger logger, string findingId, long step);

    [LoggerMessage(EventId = 7, EventName = "FindingObserved", Level = LogLevel.Information,
        Message = "Observation {FindingId} at step {Step}: {FindingMessage}")]
    public static partial void FindingObserved(ILogger logger, string findingId, long step, string findingMessage);

    [LoggerMessage(EventId = 8, EventName = "UpdateSkipped", Level = LogLevel.Warning,
        Message = "Optimizer update of step {Step} skipped: {Reason}")]
    public static partial void UpdateSkipped(ILogger logger, long step, string reason);

    [LoggerMessage(EventId = 9, EventName = "SkipRequestIgnored", Level = LogLevel.Debug,
        Message = "Detector '{DetectorName}' asked to skip the update of step {Step} ({Reason}), but SkipNonFiniteUpdates is off")]
    public static partial void SkipRequestIgnored(ILogger logger, string detectorName, long step, string reason);

    [LoggerMessage(EventId = 10, EventName = "WriterFaulted", Level = LogLevel.Error,
        Message = "Summary writer '{WriterName}' reports a fault; its records may be lost")]
    public static partial void WriterFaulted(ILogger logger, string writerName, Exception exception);

    [LoggerMessage(EventId = 11, EventName = "FindingHandlerFailed", Level = LogLevel.Error,
        Message = "A finding handler threw while handling finding {FindingId} at step {Step}")]
    public static partial void FindingHandlerFailed(ILogger logger, string findingId, long step, Exception exception);

    [LoggerMessage(EventId = 12, EventName = "WriterFlushFailed", Level = LogLevel.Error,
        Message = "Summary writer '{WriterName}' failed to flush or dispose")]
    public static partial void WriterFlushFailed(ILogger logger, string writerName, Exception exception);

    [LoggerMessage(EventId = 13, EventName = "BackendDisposeFailed", Level = LogLevel.Error,
        Message = "Training backend on device '{Device}' failed to dispose")]
    public static partial void BackendDisposeFailed(ILogger logger, string device, Exception exception);

    [LoggerMessage(EventId = 14, EventName = "MonitorStopped", Level = LogLevel.Information,
        Message = "Gradient monitor stopped after {StepsObserved} observed steps")]
    public static partial void MonitorStopped(ILogger logger, long stepsObserved);

    [LoggerMessage(EventId = 15, EventName = "ObservationDropped", Level = LogLevel.Debug,
        Message = "Observation {FindingId} at step {Step} is not kept because MaxObservations ({MaxObservations}) is reached")]
    public static partial void ObservationDropped(ILogger logger, string findingId, long step, int maxObservations);
}
