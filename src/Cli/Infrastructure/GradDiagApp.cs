using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Parsing;
using System.Text.RegularExpressions;
using GradDiag.Cli.Commands;

namespace GradDiag.Cli.Infrastructure;

/// <summary>Builds the graddiag command tree, parses the arguments and runs the chosen command.</summary>
internal static partial class GradDiagApp
{
    /// <summary>Creates the root command with every subcommand.</summary>
    public static Command CreateRootCommand(CliServices services)
    {
        ArgumentNullException.ThrowIfNull(services);

        // A plain Command named graddiag, not RootCommand, whose name would follow the assembly file (GradDiag.Cli)
        // when the tool runs as "dotnet GradDiag.Cli.dll".
        var root = new Command("graddiag", "GradDiag watches gradients while a neural network trains and reports when they vanish, explode or stop being finite.")
        {
            services.Globals.Verbose,
            services.Globals.Plain,
            new HelpOption(),
            new VersionOption(),
        };

        root.Subcommands.Add(DemoCommand.Create(services));
        root.Subcommands.Add(TrainCommand.Create(services));
        root.Subcommands.Add(ReportCommand.Create(services));
        root.Subcommands.Add(PlotCommand.Create(services));
        root.Subcommands.Add(InspectCommand.Create(services));
        root.Subcommands.Add(ArtifactsCommand.Create(services));
        return root;
    }

    /// <summary>
    /// Parses <paramref name="args"/> and runs the command. A parse error (unknown option, invalid value, conflicting
    /// options) is written as one stderr line and returns <see cref="ExitCodes.UsageOrInput"/>.
    /// </summary>
    public static async Task<int> RunAsync(string[] args, CliServices services, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(services);
        Command root = CreateRootCommand(services);
        ParseResult parseResult;
        try
        {
            parseResult = root.Parse(args);
        }
        catch (InvalidOperationException exception)
        {
            // A validator that reads an option whose value failed to convert lands here; it is still a usage error.
            services.Error.WriteLine($"graddiag: {ErrorReporter.OneLine(exception.Message)} Run 'graddiag --help' for usage.");
            return ExitCodes.UsageOrInput;
        }

        // Help and --version run even when the rest of the line has errors (for example a missing argument).
        bool informational = parseResult.Action is HelpAction || parseResult.Action?.GetType().Name == "VersionOptionAction";
        if (parseResult.Errors.Count > 0 && !informational)
        {
            string command = parseResult.CommandResult.Command == root ? "graddiag" : $"graddiag {parseResult.CommandResult.Command.Name}";
            services.Error.WriteLine($"graddiag: {ErrorReporter.OneLine(FirstError(parseResult))} Run '{command} --help' for usage.");
            return ExitCodes.UsageOrInput;
        }

        var configuration = new InvocationConfiguration
        {
            Output = services.Output,
            Error = services.Error,
            EnableDefaultExceptionHandler = false,

            // Ctrl+C is handled by the caller's token, so that commands can flush and report what they have.
            ProcessTerminationTimeout = null,
        };

        return await parseResult.InvokeAsync(configuration, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Returns the most useful parse error. The parser can take an unknown option such as --bogus as the value of a
    /// positional argument and then report the next token first. This method names the unknown option instead.
    /// </summary>
    private static string FirstError(ParseResult parseResult)
    {
        foreach (string token in parseResult.Tokens.Where(t => t.Type == TokenType.Argument).Select(t => t.Value))
        {
            if (token.StartsWith('-') && token.Length > 1 && !double.TryParse(token, System.Globalization.CultureInfo.InvariantCulture, out _))
            {
                return $"Unknown option '{token}'.";
            }
        }

        if (parseResult.CommandResult.Command == parseResult.RootCommandResult.Command)
        {
            string? first = parseResult.Tokens.Count > 0 ? parseResult.Tokens[0].Value : null;
            if (first is not null && !first.StartsWith('-'))
            {
                string commands = string.Join(", ", parseResult.RootCommandResult.Command.Subcommands.Select(c => c.Name));
                return $"Unknown command '{first}'; the commands are {commands}.";
            }
        }

        ParseError error = parseResult.Errors[0];
        string message = error.Message;
        Match conversion = ConversionError().Match(message);
        if (conversion.Success)
        {
            return $"Invalid value '{conversion.Groups["value"].Value}' for {conversion.Groups["kind"].Value} '{conversion.Groups["name"].Value}': expected {DescribeType(conversion.Groups["type"].Value)}.";
        }

        if (error.SymbolResult is OptionResult option && !message.Contains(option.Option.Name, StringComparison.Ordinal))
        {
            message = $"Invalid value for option '{option.Option.Name}': {message.TrimEnd('.')}.";
        }

        return message;
    }

    private static string DescribeType(string typeName) => typeName switch
    {
        _ when typeName.Contains("Int64", StringComparison.Ordinal) || typeName.Contains("Int32", StringComparison.Ordinal) => "a whole number",
        _ when typeName.Contains("Double", StringComparison.Ordinal) || typeName.Contains("Single", StringComparison.Ordinal) => "a number",
        _ when typeName.Contains("Boolean", StringComparison.Ordinal) => "true or false",
        _ => "a value of another form (see --help)",
    };

    [GeneratedRegex(@"^Cannot parse argument '(?<value>.*)' for (?<kind>option|command|argument) '(?<name>[^']*)' as expected type '(?<type>[^']*)'")]
    private static partial Regex ConversionError();
}
