using GradDiag.Cli.Output;

namespace GradDiag.Cli.Engines;

/// <summary>Trains a user's ONNX model with gradient monitoring: the engine behind <c>graddiag train</c>.</summary>
internal interface ITrainer
{
    /// <summary>
    /// Trains on the loaded data, writes event files and checkpoints to the folders in the settings, and returns the run's
    /// report. When <paramref name="cancellationToken"/> fires, the trainer stops after the current step, flushes its
    /// writers and returns a report with <see cref="RunReport.Interrupted"/> set instead of throwing.
    /// </summary>
    /// <param name="request">The effective settings and the loaded data.</param>
    /// <param name="console">Where progress and finding events are shown.</param>
    /// <param name="cancellationToken">Fires on Ctrl+C.</param>
    Task<RunReport> TrainAsync(TrainRequest request, ICliConsole console, CancellationToken cancellationToken);
}
