using Microsoft.Extensions.Options;

namespace GradDiag;

/// <summary>Checks <see cref="GradDiagOptions"/> and names each invalid option with its configuration key.</summary>
internal sealed class GradDiagOptionsValidator : IValidateOptions<GradDiagOptions>
{
    public ValidateOptionsResult Validate(string? name, GradDiagOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        List<string> failures = Check(options);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>Returns one message per invalid option; empty when all are valid.</summary>
    internal static List<string> Check(GradDiagOptions options)
    {
        var failures = new List<string>();
        const string Prefix = GradDiagOptions.SectionName + ":";
        if (options.StatisticsInterval < 1)
        {
            failures.Add($"{Prefix}{nameof(GradDiagOptions.StatisticsInterval)} must be at least 1 (steps between statistics), but is {options.StatisticsInterval}.");
        }

        if (options.HistogramInterval < 0)
        {
            failures.Add($"{Prefix}{nameof(GradDiagOptions.HistogramInterval)} must be 0 (no histograms) or a positive number of steps, but is {options.HistogramInterval}.");
        }

        if (options.HistogramThreads < 0)
        {
            failures.Add($"{Prefix}{nameof(GradDiagOptions.HistogramThreads)} must be 0 (one thread per processor) or more, but is {options.HistogramThreads}.");
        }

        if ((options.ScalarSeries & ~ScalarSeries.All) != 0)
        {
            failures.Add($"{Prefix}{nameof(GradDiagOptions.ScalarSeries)} contains unknown flags ({(int)options.ScalarSeries}); use names from: {string.Join(", ", Enum.GetNames<ScalarSeries>())}.");
        }

        if (options.MaxObservations < 0)
        {
            failures.Add($"{Prefix}{nameof(GradDiagOptions.MaxObservations)} must be 0 or more, but is {options.MaxObservations}.");
        }

        CheckPatterns(failures, Prefix + nameof(GradDiagOptions.IncludeParameters), options.IncludeParameters);
        CheckPatterns(failures, Prefix + nameof(GradDiagOptions.ExcludeParameters), options.ExcludeParameters);
        return failures;
    }

    private static void CheckPatterns(List<string> failures, string key, IList<string> patterns)
    {
        for (int i = 0; i < patterns.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(patterns[i]))
            {
                failures.Add($"{key}:{i} is empty; give a parameter name or a glob such as 'encoder.*.weight'.");
            }
        }
    }
}
