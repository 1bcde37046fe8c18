namespace GradDiag.Cli.Output;

/// <summary>
/// Where commands write: rich Spectre.Console widgets on an interactive terminal, plain lines otherwise.
/// Results go to standard output, warnings and errors to standard error.
/// </summary>
internal interface ICliConsole
{
    /// <summary>Gets a value indicating whether the console draws live widgets (progress bars, boxed tables).</summary>
    bool IsRich { get; }

    /// <summary>Gets the standard output writer, for machine-readable results such as JSON or JUnit XML.</summary>
    TextWriter Out { get; }

    /// <summary>Writes one line of text to standard output.</summary>
    void WriteLine(string text);

    /// <summary>Writes one warning line, prefixed with <c>warning:</c>, to standard error.</summary>
    void WriteWarning(string text);

    /// <summary>Writes a table to standard output: boxed in rich mode, tab-separated lines in plain mode.</summary>
    void WriteTable(TableContent table);

    /// <summary>Runs work that reports progress: a live bar in rich mode, a line at every tenth of the total in plain mode.</summary>
    /// <param name="description">What the work does, for example <c>training digits_mlp</c>.</param>
    /// <param name="total">The number of units (steps, files) the work will complete; at least 1.</param>
    /// <param name="work">The work; it reports completed units through the sink it receives.</param>
    Task<T> RunWithProgressAsync<T>(string description, long total, Func<IProgressSink, Task<T>> work);
}
