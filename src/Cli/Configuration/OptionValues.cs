using System.CommandLine;

namespace GradDiag.Cli.Configuration;

/// <summary>
/// Reads option values with the precedence command line, then configuration file, then the option's default.
/// Configuration keys are the long option names without their leading dashes.
/// </summary>
internal sealed class OptionValues
{
    private readonly ParseResult _parseResult;
    private readonly ConfigFile? _config;
    private readonly HashSet<string> _overriddenKeys = new(StringComparer.Ordinal);

    /// <summary>Creates a reader over a parse result and an optional configuration file.</summary>
    public OptionValues(ParseResult parseResult, ConfigFile? config)
    {
        ArgumentNullException.ThrowIfNull(parseResult);
        _parseResult = parseResult;
        _config = config;
    }

    /// <summary>Returns the configuration key of an option: its name without leading dashes.</summary>
    public static string KeyOf(Option option)
    {
        ArgumentNullException.ThrowIfNull(option);
        return option.Name.TrimStart('-');
    }

    /// <summary>Returns true when the option was typed on the command line.</summary>
    public bool OnCommandLine(Option option) => _parseResult.GetResult(option) is { Implicit: false };

    /// <summary>Returns true when the configuration file sets the option and no command-line option overrode it.</summary>
    public bool InConfig(Option option)
    {
        string key = KeyOf(option);
        return _config is not null && _config.Contains(key) && !_overriddenKeys.Contains(key);
    }

    /// <summary>Returns true when the option was set on the command line or in the configuration file.</summary>
    public bool IsSet(Option option) => OnCommandLine(option) || InConfig(option);

    /// <summary>Returns the option's value: from the command line, else from the configuration file, else its default.</summary>
    public T Get<T>(Option<T> option)
    {
        if (!OnCommandLine(option) && InConfig(option))
        {
            return _config!.Get<T>(KeyOf(option));
        }

        return _parseResult.GetValue(option)!;
    }

    /// <summary>
    /// Enforces that at most one of two options is set. Both on the command line, or both in the configuration
    /// file, is an error. When one is on the command line and the other only in the file, the command line wins and
    /// the file's value is ignored.
    /// </summary>
    /// <exception cref="Infrastructure.UsageException">Both are set at the same level.</exception>
    public void RequireAtMostOne(Option first, Option second)
    {
        bool firstOnLine = OnCommandLine(first);
        bool secondOnLine = OnCommandLine(second);
        if (firstOnLine && secondOnLine)
        {
            throw new Infrastructure.UsageException($"Options {first.Name} and {second.Name} cannot be used together; give only one of them.");
        }

        if (firstOnLine)
        {
            _overriddenKeys.Add(KeyOf(second));
        }
        else if (secondOnLine)
        {
            _overriddenKeys.Add(KeyOf(first));
        }
        else if (InConfig(first) && InConfig(second))
        {
            throw new Infrastructure.UsageException(
                $"Configuration file '{_config!.File.FullName}' sets both '{KeyOf(first)}' and '{KeyOf(second)}'; keep only one of them.");
        }
    }
}
