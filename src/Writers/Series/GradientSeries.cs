using GradDiag.Writers.Reading;

namespace GradDiag.Writers.Series;

/// <summary>The gradient-norm, global-norm and loss series found in one run, ready for offline detectors.</summary>
public sealed class GradientSeries
{
    private readonly IReadOnlyDictionary<long, double>[] _norms;
    private readonly IReadOnlyDictionary<long, double>? _loss;
    private readonly IReadOnlyDictionary<long, double>? _globalNorm;

    internal GradientSeries(
        string run,
        ParameterSet parameters,
        IReadOnlyList<string> normTags,
        IReadOnlyDictionary<long, double>[] norms,
        string? lossTag,
        IReadOnlyDictionary<long, double>? loss,
        string? globalNormTag,
        IReadOnlyDictionary<long, double>? globalNorm,
        IReadOnlyList<long> steps,
        IReadOnlyList<string> availableTags)
    {
        Run = run;
        Parameters = parameters;
        NormTags = normTags;
        _norms = norms;
        LossTag = lossTag;
        _loss = loss;
        GlobalNormTag = globalNormTag;
        _globalNorm = globalNorm;
        Steps = steps;
        AvailableTags = availableTags;
    }

    /// <summary>Gets the run's name.</summary>
    public string Run { get; }

    /// <summary>Gets one parameter per per-parameter gradient-norm series, in depth order (input side first).</summary>
    public ParameterSet Parameters { get; }

    /// <summary>Gets the tag each parameter's norms came from, parallel to <see cref="Parameters"/>.</summary>
    public IReadOnlyList<string> NormTags { get; }

    /// <summary>Gets the tag the loss came from, or null when no loss series was found.</summary>
    public string? LossTag { get; }

    /// <summary>Gets the tag of the total gradient norm, or null when the run has none.</summary>
    public string? GlobalNormTag { get; }

    /// <summary>Gets every step that has a per-parameter or global norm, ascending.</summary>
    public IReadOnlyList<long> Steps { get; }

    /// <summary>Gets every tag of the run with its kind, such as <c>loss (scalar)</c>, so a caller can say what exists when nothing matched.</summary>
    public IReadOnlyList<string> AvailableTags { get; }

    /// <summary>Gets a value indicating whether no gradient-norm series, per parameter or global, was found.</summary>
    public bool IsEmpty => Parameters.Count == 0 && GlobalNormTag is null;

    /// <summary>
    /// Returns one new <see cref="StepStatistics"/> per step in <see cref="Steps"/>: each parameter's statistics from
    /// <see cref="ParameterStatistics.FromNorm"/> (unknown where its series has no point at that step), the loss
    /// (NaN when absent) and the global norm (NaN when the run has no total-norm series).
    /// </summary>
    public IEnumerable<StepStatistics> EnumerateSteps()
    {
        foreach (long step in Steps)
        {
            var statistics = new StepStatistics(Parameters);
            statistics.Reset(step);
            for (int i = 0; i < _norms.Length; i++)
            {
                if (_norms[i].TryGetValue(step, out double norm))
                {
                    statistics.Set(i, ParameterStatistics.FromNorm(norm));
                }
            }

            if (_loss is not null && _loss.TryGetValue(step, out double loss))
            {
                statistics.Loss = loss;
            }

            if (_globalNorm is not null && _globalNorm.TryGetValue(step, out double globalNorm))
            {
                statistics.GlobalNorm = globalNorm;
            }

            yield return statistics;
        }
    }

    /// <summary>Describes a record's tag and kind for <see cref="AvailableTags"/>.</summary>
    internal static string DescribeTag(SummaryRecord record) => $"{record.Tag} ({record.Kind.ToString().ToLowerInvariant()})";
}
