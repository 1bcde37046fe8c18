namespace GradDiag.Cli.Output;

/// <summary>How the console renders.</summary>
internal enum ConsoleMode
{
    /// <summary>Plain lines without colour or cursor movement.</summary>
    Plain,

    /// <summary>Spectre.Console widgets: live progress bars and boxed tables.</summary>
    Rich,
}
