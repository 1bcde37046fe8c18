using System.Collections;
using GradDiag.Cli.Output;
using Spectre.Console;

namespace GradDiag.Cli.Tests;

public class ConsoleOutputTests
{
    private static readonly TableContent Table = new("Findings", ["kind", "steps"], [["vanishing", "3-9"], ["exploding", "12-40"]]);

    [Fact]
    public void Plain_TableAsTabSeparatedLines()
    {
        var output = new StringWriter();

        new PlainConsole(output, new StringWriter()).WriteTable(Table);

        output.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries)
            .Should().Equal("Findings", "kind\tsteps", "vanishing\t3-9", "exploding\t12-40");
    }

    [Fact]
    public async Task Plain_ProgressEveryTenth()
    {
        var output = new StringWriter();
        var console = new PlainConsole(output, new StringWriter());

        await console.RunWithProgressAsync("training", 100, sink =>
        {
            for (int i = 1; i <= 100; i++)
            {
                sink.Report(i, "loss 0.5");
            }

            return Task.FromResult(0);
        });

        string[] lines = output.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        lines.Should().HaveCount(11);
        lines[0].Should().Be("training: started, 100 to do");
        lines[1].Should().Be("training: 10% (10/100, loss 0.5)");
        lines[^1].Should().Be("training: done (100/100, loss 0.5)");
        output.ToString().Should().NotContain("\u001b[");
    }

    [Fact]
    public async Task Plain_StoppedEarlySaysSo()
    {
        var output = new StringWriter();

        await new PlainConsole(output, new StringWriter()).RunWithProgressAsync("training", 10, sink =>
        {
            sink.Report(4);
            return Task.FromResult(0);
        });

        output.ToString().Should().Contain("training: stopped (4/10)");
    }

    [Fact]
    public void Plain_WarningToError()
    {
        var output = new StringWriter();
        var error = new StringWriter();

        new PlainConsole(output, error).WriteWarning("3 NaN values");

        error.ToString().Should().Be($"warning: 3 NaN values{Environment.NewLine}");
        output.ToString().Should().BeEmpty();
    }

    [Fact]
    public void Rich_TableHasBordersAndCells()
    {
        var output = new StringWriter();
        var console = new SpectreConsole(CreateAnsiConsole(output), output, new StringWriter());

        console.WriteTable(Table);

        string text = output.ToString();
        text.Should().Contain("vanishing").And.Contain("12-40").And.Contain("Findings");
        text.Should().Contain("│");
    }

    [Fact]
    public void Rich_BracketsNotMarkup()
    {
        var output = new StringWriter();
        var console = new SpectreConsole(CreateAnsiConsole(output), output, new StringWriter());

        console.WriteLine("inputs [64] per row");
        console.WriteTable(new TableContent("shape [1, 8, 8]", ["[col]"], [["[red]x"]]));

        output.ToString().Should().Contain("inputs [64] per row").And.Contain("shape [1,").And.Contain("[red]x");
    }

    [Fact]
    public async Task Rich_ProgressReturnsResult()
    {
        var output = new StringWriter();
        var console = new SpectreConsole(CreateAnsiConsole(output, InteractionSupport.Yes), output, new StringWriter());

        int result = await console.RunWithProgressAsync("training", 5, sink =>
        {
            sink.Report(5, "done");
            return Task.FromResult(42);
        });

        result.Should().Be(42);
        output.ToString().Should().Contain("training");
    }

    [Theory]
    [InlineData(false, true, null, null, null, false)]
    [InlineData(true, true, null, null, null, true)]
    [InlineData(false, false, null, null, null, true)]
    [InlineData(false, true, "true", null, null, true)]
    [InlineData(false, true, "false", null, null, false)]
    [InlineData(false, true, null, "1", null, true)]
    [InlineData(false, true, null, "", null, false)]
    [InlineData(false, true, null, null, "dumb", true)]
    public void ModeSelector_Cases(bool plain, bool terminal, string? ci, string? noColor, string? term, bool expectPlain)
    {
        var environment = new Hashtable();
        if (ci is not null)
        {
            environment["CI"] = ci;
        }

        if (noColor is not null)
        {
            environment["NO_COLOR"] = noColor;
        }

        if (term is not null)
        {
            environment["TERM"] = term;
        }

        ConsoleModeSelector.Select(plain, terminal, environment).Should().Be(expectPlain ? ConsoleMode.Plain : ConsoleMode.Rich);
    }

    private static IAnsiConsole CreateAnsiConsole(StringWriter output, InteractionSupport interactive = InteractionSupport.No) => AnsiConsole.Create(new AnsiConsoleSettings
    {
        Ansi = interactive == InteractionSupport.Yes ? AnsiSupport.Yes : AnsiSupport.No,
        ColorSystem = ColorSystemSupport.NoColors,
        Interactive = interactive,
        Out = new AnsiConsoleOutput(output),
    });
}
