using System.Globalization;

namespace GradDiag.Cli.Output;

/// <summary>
/// Console output for logs and pipes: no colours, no cursor movement, one complete line per event, so CI logs stay
/// readable and diff-friendly.
/// </summary>
internal sealed class PlainConsole : ICliConsole
{
    private readonly TextWriter _error;

    /// <summary>Creates a console over the given standard output and standard error writers.</summary>
    public PlainConsole(TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        Out = output;
        _error = error;
    }

    /// <inheritdoc/>
    public bool IsRich => false;

    /// <inheritdoc/>
    public TextWriter Out { get; }

    /// <inheritdoc/>
    public void WriteLine(string text) => Out.WriteLine(text);

    /// <inheritdoc/>
    public void WriteWarning(string text) => _error.WriteLine($"warning: {text}");

    /// <inheritdoc/>
    public void WriteTable(TableContent table)
    {
        ArgumentNullException.ThrowIfNull(table);
        table.Validate();
        Out.WriteLine(table.Title);
        Out.WriteLine(string.Join('\t', table.Columns));
        foreach (IReadOnlyList<string> row in table.Rows)
        {
            Out.WriteLine(string.Join('\t', row));
        }
    }

    /// <inheritdoc/>
    public async Task<T> RunWithProgressAsync<T>(string description, long total, Func<IProgressSink, Task<T>> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        ArgumentOutOfRangeException.ThrowIfLessThan(total, 1);
        var sink = new PlainProgressSink(Out, description, total);
        Out.WriteLine($"{description}: started, {total.ToString(CultureInfo.InvariantCulture)} to do");
        T result = await work(sink).ConfigureAwait(false);
        sink.Finish();
        return result;
    }

    private sealed class PlainProgressSink(TextWriter output, string description, long total) : IProgressSink
    {
        private int _lastTenth;
        private long _completed;
        private string? _status;

        public void Report(long completed, string? status = null)
        {
            _completed = Math.Clamp(completed, 0, total);
            _status = status ?? _status;
            int tenth = (int)(_completed * 10 / total);

            // The final line comes from Finish, so that a run that stops early still ends with its real count.
            if (tenth > _lastTenth && tenth < 10)
            {
                _lastTenth = tenth;
                WriteProgressLine($"{tenth * 10}%");
            }
        }

        public void Finish() => WriteProgressLine(_completed >= total ? "done" : "stopped");

        private void WriteProgressLine(string label)
        {
            string counts = string.Create(CultureInfo.InvariantCulture, $"{_completed}/{total}");
            string status = string.IsNullOrEmpty(_status) ? string.Empty : $", {_status}";
            output.WriteLine($"{description}: {label} ({counts}{status})");
        }
    }
}
