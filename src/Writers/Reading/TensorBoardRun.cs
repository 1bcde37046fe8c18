namespace GradDiag.Writers.Reading;

/// <summary>
/// A run as TensorBoard sees it: a folder that directly contains event files, named by its path relative to
/// the log folder (<c>.</c> for the log folder itself, <c>/</c> as separator).
/// </summary>
/// <param name="Name">The run's name.</param>
/// <param name="DirectoryPath">The folder's full path.</param>
/// <param name="EventFiles">The event files' full paths, in ordinal name order (which is creation order for conforming names).</param>
public sealed record TensorBoardRun(string Name, string DirectoryPath, IReadOnlyList<string> EventFiles);
