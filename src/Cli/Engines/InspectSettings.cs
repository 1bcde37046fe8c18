namespace GradDiag.Cli.Engines;

/// <summary>The settings of <c>graddiag inspect</c>.</summary>
/// <param name="ModelPath">The ONNX model.</param>
/// <param name="Json">True to write a JSON document instead of tables.</param>
internal sealed record InspectSettings(FileInfo ModelPath, bool Json);
