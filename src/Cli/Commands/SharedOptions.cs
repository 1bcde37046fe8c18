using System.CommandLine;
using GradDiag.Cli.Engines;

namespace GradDiag.Cli.Commands;

/// <summary>Option definitions and helpers used by more than one command.</summary>
internal static class SharedOptions
{
    /// <summary>Creates --fail-on, the lowest finding severity that makes the command exit with 1.</summary>
    public static Option<string> CreateFailOn()
    {
        var option = new Option<string>("--fail-on")
        {
            Description = "Exit with code 1 when a finding has this severity or a higher one: never, information, warning, error or critical.",
            DefaultValueFactory = _ => "error",
        };
        option.AcceptOnlyFromAmong([.. FailOnThreshold.Names, "info"]);
        return option;
    }

    /// <summary>Creates --device: cpu, cuda or cuda:N.</summary>
    public static Option<string> CreateDevice()
    {
        var option = new Option<string>("--device")
        {
            Description = "Where to train: cpu, cuda (device 0) or cuda:N.",
            DefaultValueFactory = _ => "cpu",
        };
        option.Validators.Add(result =>
        {
            string? value = result.GetValueOrDefault<string>();
            try
            {
                _ = DeviceSpec.Parse(value ?? string.Empty, "--device");
            }
            catch (Infrastructure.UsageException exception)
            {
                result.AddError(exception.Message);
            }
        });
        return option;
    }

    /// <summary>
    /// Splits repeated and comma-separated values into one list without blanks; returns <paramref name="fallback"/>
    /// when nothing was given.
    /// </summary>
    public static IReadOnlyList<string> SplitList(IEnumerable<string>? values, IReadOnlyList<string> fallback)
    {
        ArgumentNullException.ThrowIfNull(fallback);
        List<string> items = (values ?? [])
            .SelectMany(value => value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .ToList();
        return items.Count == 0 ? fallback : items;
    }

    /// <summary>Adds a validator that rejects values below <paramref name="minimum"/>.</summary>
    public static Option<T> AtLeast<T>(this Option<T> option, T minimum)
        where T : IComparable<T>
    {
        ArgumentNullException.ThrowIfNull(option);
        option.Validators.Add(result =>
        {
            T? value = result.GetValueOrDefault<T>();
            if (value is not null && value.CompareTo(minimum) < 0)
            {
                result.AddError($"Invalid {option.Name} {value}: it must be at least {minimum}.");
            }
        });
        return option;
    }
}
