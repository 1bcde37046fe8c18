namespace GradDiag.Writers.Reading;

/// <summary>The runs found under a log folder.</summary>
/// <param name="Path">The log folder's full path.</param>
/// <param name="Runs">The runs, in ordinal name order.</param>
/// <param name="IgnoredFileCount">The number of files that are not event files (including <c>.profile-empty</c> files).</param>
public sealed record TensorBoardLogDirectory(string Path, IReadOnlyList<TensorBoardRun> Runs, int IgnoredFileCount);
