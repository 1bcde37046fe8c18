using Spectre.Console;

namespace GradDiag.Cli.Output;

/// <summary>Console output for an interactive terminal: Spectre.Console progress bars and boxed tables.</summary>
internal sealed class SpectreConsole : ICliConsole
{
    private readonly IAnsiConsole _console;
    private readonly TextWriter _error;

    /// <summary>Creates a console that renders through <paramref name="console"/> and writes warnings to <paramref name="error"/>.</summary>
    /// <param name="console">The Spectre console; tests pass one that writes to a <see cref="StringWriter"/>.</param>
    /// <param name="output">The writer behind <paramref name="console"/>, used for raw machine-readable output.</param>
    /// <param name="error">The standard error writer.</param>
    public SpectreConsole(IAnsiConsole console, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        _console = console;
        Out = output;
        _error = error;
    }

    /// <inheritdoc/>
    public bool IsRich => true;

    /// <inheritdoc/>
    public TextWriter Out { get; }

    /// <summary>Creates a Spectre console that writes to <paramref name="output"/> with the terminal's detected capabilities.</summary>
    public static SpectreConsole ForTerminal(TextWriter output, TextWriter error)
    {
        IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = AnsiSupport.Detect,
            ColorSystem = ColorSystemSupport.Detect,
            Interactive = InteractionSupport.Detect,
        });
        return new SpectreConsole(console, output, error);
    }

    /// <inheritdoc/>
    public void WriteLine(string text) => _console.WriteLine(text);

    /// <inheritdoc/>
    public void WriteWarning(string text) => _error.WriteLine($"warning: {text}");

    /// <inheritdoc/>
    public void WriteTable(TableContent table)
    {
        ArgumentNullException.ThrowIfNull(table);
        table.Validate();
        var widget = new Table { Title = new TableTitle(Markup.Escape(table.Title)), Border = TableBorder.Rounded };
        foreach (string column in table.Columns)
        {
            widget.AddColumn(new TableColumn(Markup.Escape(column)));
        }

        foreach (IReadOnlyList<string> row in table.Rows)
        {
            widget.AddRow(row.Select(cell => (Spectre.Console.Rendering.IRenderable)new Text(cell)).ToArray());
        }

        _console.Write(widget);
    }

    /// <inheritdoc/>
    public Task<T> RunWithProgressAsync<T>(string description, long total, Func<IProgressSink, Task<T>> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        ArgumentOutOfRangeException.ThrowIfLessThan(total, 1);
        return _console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .StartAsync(async context =>
            {
                ProgressTask task = context.AddTask(Markup.Escape(description), maxValue: total);
                T result = await work(new SpectreProgressSink(task, description)).ConfigureAwait(false);
                task.StopTask();
                return result;
            });
    }

    private sealed class SpectreProgressSink(ProgressTask task, string description) : IProgressSink
    {
        public void Report(long completed, string? status = null)
        {
            task.Value = completed;
            if (status is not null)
            {
                task.Description = Markup.Escape($"{description} ({status})");
            }
        }
    }
}
