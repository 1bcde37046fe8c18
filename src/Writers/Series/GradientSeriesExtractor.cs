using System.Text.RegularExpressions;
using GradDiag.Writers.Reading;

namespace GradDiag.Writers.Series;

/// <summary>
/// Recognises gradient-norm and loss series in a run read from TensorBoard files, for offline reports.
/// </summary>
/// <remarks>
/// <para>Default per-parameter patterns (case-insensitive, on scalar tags): <c>grad_norm/&lt;p&gt;</c>,
/// <c>gradient_norm/&lt;p&gt;</c>, <c>grad_2.0_norm/&lt;p&gt;</c> and other <c>grad…norm/&lt;p&gt;</c> forms,
/// <c>gradients/&lt;p&gt;/norm</c> and <c>&lt;p&gt;/grad_norm</c>. Global norms: <c>grad_norm</c>,
/// <c>train/grad_norm</c>, <c>gradients/norm</c>, <c>total_norm</c>, <c>global_norm/gradient_norm</c>,
/// <c>grad_2.0_norm_total</c>, <c>grad_norm_global</c> (GradDiag's own) and <c>grad_norm/total</c>. Tags naming a learning rate or a clipped norm are left out.</para>
/// <para>Depth order comes from GradDiag's parameter table (text tag <c>graddiag/parameters</c>) when the run has
/// one, else from a natural sort of layer names, so <c>dense, dense_1, …, dense_5</c> and <c>layer2 &lt; layer10</c>.</para>
/// </remarks>
public static class GradientSeriesExtractor
{
    private const string NormWord = @"grad(?:ient)?s?[_ .-]?(?:\d+(?:\.\d+)?_|inf_)?norm";

    private static readonly Regex Excluded = new(@"(^|[/_.])(learning_rate|lr)($|[/_.])|clipped", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

    private static readonly Regex[] DefaultPatterns =
    [
        new($@"^gradients?/(?<parameter>.+)/norm$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant),
        new($@"^(?:.*/)?{NormWord}/(?<parameter>.+)$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant),
        new($@"^(?<parameter>.+)/(?:{NormWord}|total_norm)$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant),
        new($@"^(?:.*/)?(?:{NormWord}(?:_total|_global)?|total_norm|grad(?:ient)?s?/norm)$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant),
    ];

    private static readonly HashSet<string> GlobalNames = new(StringComparer.OrdinalIgnoreCase)
    {
        "total", "global", "all", "train", "training", "eval", "val", "validation", "test", "global_norm", "metrics", "optim", "optimizer",
    };

    private static readonly string[] DefaultLossTags =
    [
        "loss", "train/loss", "epoch_loss", "train_loss", "loss/train", "training/loss", "train/epoch_loss", "batch_loss", "epoch_loss/train",
    ];

    /// <summary>Finds the gradient-norm, global-norm and loss series of one run.</summary>
    /// <param name="run">The run, as read by <see cref="TensorBoardLogReader.ReadRun"/>.</param>
    /// <param name="options">Custom tag patterns; null for the defaults.</param>
    /// <returns>The series; <see cref="GradientSeries.IsEmpty"/> is true when no gradient norm matched.</returns>
    /// <exception cref="ArgumentException">A pattern in <paramref name="options"/> is not a valid regular expression.</exception>
    public static GradientSeries Extract(TensorBoardRunData run, GradientSeriesOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(run);
        options ??= new GradientSeriesOptions();
        Regex[] patterns = options.NormTagPatterns.Count == 0 ? DefaultPatterns : options.NormTagPatterns.Select(Compile).ToArray();

        var scalars = new Dictionary<string, Dictionary<long, double>>(StringComparer.Ordinal);
        var availableTags = new List<string>();
        string? parameterTable = null;
        foreach (SummaryRecord record in run.Records)
        {
            if (availableTags.Count == 0 || !availableTags[^1].StartsWith(record.Tag + " (", StringComparison.Ordinal))
            {
                availableTags.Add(GradientSeries.DescribeTag(record));
            }

            if (record.Kind == SummaryRecordKind.Scalar)
            {
                if (!scalars.TryGetValue(record.Tag, out Dictionary<long, double>? points))
                {
                    points = [];
                    scalars.Add(record.Tag, points);
                }

                points[record.Step] = record.Value;
            }
            else if (record.Kind == SummaryRecordKind.Text && string.Equals(record.Tag, options.ParameterTableTag, StringComparison.OrdinalIgnoreCase))
            {
                parameterTable = record.Text;
            }
        }

        var normTagByParameter = new Dictionary<string, string>(StringComparer.Ordinal);
        string? globalNormTag = null;
        foreach (string tag in scalars.Keys)
        {
            if (Excluded.IsMatch(tag))
            {
                continue;
            }

            (bool matched, string? parameter) = Classify(tag, patterns);
            if (!matched)
            {
                continue;
            }

            if (parameter is null)
            {
                globalNormTag ??= tag;
            }
            else
            {
                normTagByParameter.TryAdd(parameter, tag);
            }
        }

        IReadOnlyDictionary<string, ParameterTableRow> table = parameterTable is null ? new Dictionary<string, ParameterTableRow>() : ParameterTable.Parse(parameterTable);
        ParameterSet parameters = BuildParameters(normTagByParameter.Keys, table);
        string[] normTags = parameters.Select(parameter => normTagByParameter[parameter.Name]).ToArray();
        IReadOnlyDictionary<long, double>[] norms = normTags.Select(tag => (IReadOnlyDictionary<long, double>)scalars[tag]).ToArray();
        string? lossTag = FindLossTag(scalars.Keys, options.LossTags);

        var steps = new SortedSet<long>();
        foreach (IReadOnlyDictionary<long, double> series in norms)
        {
            steps.UnionWith(series.Keys);
        }

        if (globalNormTag is not null)
        {
            steps.UnionWith(scalars[globalNormTag].Keys);
        }

        return new GradientSeries(
            run.Run.Name,
            parameters,
            normTags,
            norms,
            lossTag,
            lossTag is null ? null : scalars[lossTag],
            globalNormTag,
            globalNormTag is null ? null : scalars[globalNormTag],
            steps.ToArray(),
            availableTags);
    }

    /// <summary>Returns whether a tag is a gradient norm and, for a per-parameter one, the parameter's name.</summary>
    internal static (bool Matched, string? Parameter) Classify(string tag, IReadOnlyList<Regex> patterns)
    {
        foreach (Regex pattern in patterns)
        {
            Match match = pattern.Match(tag);
            if (!match.Success)
            {
                continue;
            }

            Group group = match.Groups["parameter"];
            if (!group.Success || group.Value.Length == 0 || GlobalNames.Contains(group.Value))
            {
                return (true, null);
            }

            return (true, group.Value);
        }

        return (false, null);
    }

    private static Regex Compile(string pattern)
    {
        try
        {
            return new Regex(pattern, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
        }
        catch (ArgumentException exception)
        {
            throw new ArgumentException($"Gradient-norm tag pattern '{pattern}' is not a valid regular expression: {exception.Message}", nameof(pattern), exception);
        }
    }

    private static ParameterSet BuildParameters(IEnumerable<string> names, IReadOnlyDictionary<string, ParameterTableRow> table)
    {
        var known = new List<ParameterDescriptor>();
        var unknown = new List<string>();
        foreach (string name in names)
        {
            if (table.TryGetValue(name, out ParameterTableRow? row))
            {
                known.Add(new ParameterDescriptor(name, row.Shape, row.Depth, row.IsTrainable, row.Layer));
            }
            else
            {
                unknown.Add(name);
            }
        }

        // Parameters missing from the table go after it, in natural layer order.
        int nextDepth = known.Count == 0 ? 0 : known.Max(parameter => parameter.Depth) + 1;
        List<string> layers = unknown.Select(LayerNames.FromParameterName).Distinct(StringComparer.Ordinal).Order(NaturalStringComparer.Instance).ToList();
        foreach (string name in unknown.Order(NaturalStringComparer.Instance))
        {
            string layer = LayerNames.FromParameterName(name);
            known.Add(new ParameterDescriptor(name, [], nextDepth + layers.IndexOf(layer), isTrainable: true, layer));
        }

        return new ParameterSet(known.OrderBy(parameter => parameter.Depth).ThenBy(parameter => parameter.Name, NaturalStringComparer.Instance));
    }

    private static string? FindLossTag(IEnumerable<string> scalarTags, IEnumerable<string> preferred)
    {
        List<string> tags = scalarTags.ToList();
        foreach (string candidate in preferred.Concat(DefaultLossTags))
        {
            string? found = tags.FirstOrDefault(tag => string.Equals(tag, candidate, StringComparison.OrdinalIgnoreCase));
            if (found is not null)
            {
                return found;
            }
        }

        return tags.FirstOrDefault(tag =>
        {
            string last = tag[(tag.LastIndexOf('/') + 1)..];
            string lower = tag.ToLowerInvariant();
            bool isLoss = last.Equals("loss", StringComparison.OrdinalIgnoreCase) || last.EndsWith("_loss", StringComparison.OrdinalIgnoreCase);
            bool isEvaluation = lower.StartsWith("val", StringComparison.Ordinal) || lower.StartsWith("eval", StringComparison.Ordinal) || lower.StartsWith("test", StringComparison.Ordinal);
            return isLoss && !isEvaluation;
        });
    }
}
