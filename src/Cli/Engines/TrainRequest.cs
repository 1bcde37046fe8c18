using GradDiag.Cli.Data;

namespace GradDiag.Cli.Engines;

/// <summary>Everything a trainer needs: the effective settings and the data, already loaded, checked and split.</summary>
/// <param name="Settings">The merged command-line and configuration-file settings.</param>
/// <param name="Training">The training rows.</param>
/// <param name="Validation">The validation rows, or null when --validation-split is 0.</param>
internal sealed record TrainRequest(TrainSettings Settings, Dataset Training, Dataset? Validation);
