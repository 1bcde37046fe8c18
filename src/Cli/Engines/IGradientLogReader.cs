namespace GradDiag.Cli.Engines;

/// <summary>Reads gradient-norm series back from event files: the reader behind <c>graddiag report</c> and <c>plot</c>.</summary>
internal interface IGradientLogReader
{
    /// <summary>
    /// Reads every run under <paramref name="logDirectory"/> (the folder itself and its subfolders that contain event
    /// files) and returns one log per run, in run-name order. A run without a gradient-norm series is returned with
    /// no series (<see cref="GradientRunLog.HasSeries"/> false) and its <see cref="GradientRunLog.AvailableTags"/>.
    /// </summary>
    /// <param name="logDirectory">The log folder.</param>
    /// <param name="tagPatterns">
    /// Tag patterns where <c>*</c> matches any run of characters and the last <c>*</c> is the parameter name, for
    /// example <c>grad_norm/*</c>; a pattern without <c>*</c> names the global norm. Empty for the reader's defaults.
    /// </param>
    /// <param name="cancellationToken">Fires on Ctrl+C.</param>
    /// <exception cref="Infrastructure.InputException">The folder contains no event file, or a file cannot be read. The message names it.</exception>
    Task<IReadOnlyList<GradientRunLog>> ReadAsync(DirectoryInfo logDirectory, IReadOnlyList<string> tagPatterns, CancellationToken cancellationToken);
}
