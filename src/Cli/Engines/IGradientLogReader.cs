namespace GradDiag.Cli.Engines;

/// <summary>Reads gradient-norm series back from event files: the reader behind <c>graddiag report</c> and <c>plot</c>.</summary>
internal interface IGradientLogReader
{
    /// <summary>
    /// Reads every run under <paramref name="logDirectory"/> (the folder itself and its subfolders that contain event
    /// files) and returns, per run, the scalar series whose tags match one of <paramref name="tagPatterns"/>.
    /// Runs without a matching series are left out, so an empty result means no gradient series was found.
    /// </summary>
    /// <param name="logDirectory">The log folder.</param>
    /// <param name="tagPatterns">Tag patterns where <c>*</c> matches any run of characters, for example <c>grad_norm/*</c>.</param>
    /// <param name="cancellationToken">Fires on Ctrl+C.</param>
    /// <exception cref="IOException">An event file cannot be read; the message names the file and offset.</exception>
    Task<IReadOnlyList<GradientRunLog>> ReadAsync(DirectoryInfo logDirectory, IReadOnlyList<string> tagPatterns, CancellationToken cancellationToken);
}
