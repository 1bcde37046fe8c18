using System.Collections.Immutable;
using System.Globalization;
using System.Text.RegularExpressions;

namespace GradDiag.Writers.Series;

/// <summary>
/// Parses the Markdown table GradDiag writes as text tag <c>graddiag/parameters</c>: a header row naming the
/// columns <c>name</c>, <c>layer</c>, <c>depth</c>, <c>shape</c> and <c>trainable</c> (in any order), a separator
/// row, then one row per parameter. Rows without a name or a whole-number depth are skipped.
/// </summary>
internal static partial class ParameterTable
{
    public static IReadOnlyDictionary<string, ParameterTableRow> Parse(string markdown)
    {
        var rows = new Dictionary<string, ParameterTableRow>(StringComparer.Ordinal);
        Dictionary<string, int>? columns = null;
        foreach (string rawLine in markdown.Split('\n'))
        {
            string line = rawLine.Trim();
            if (!line.StartsWith('|'))
            {
                continue;
            }

            string[] cells = line.Trim('|').Split('|').Select(cell => cell.Trim().Trim('`')).ToArray();
            if (columns is null)
            {
                columns = cells.Select((cell, index) => (cell.ToLowerInvariant(), index)).GroupBy(c => c.Item1).ToDictionary(g => g.Key, g => g.First().index);
                continue;
            }

            if (cells.All(cell => cell.Length > 0 && cell.Trim(':', '-').Length == 0))
            {
                continue;
            }

            string? name = Cell(cells, columns, "name");
            if (string.IsNullOrEmpty(name) || !int.TryParse(Cell(cells, columns, "depth"), NumberStyles.Integer, CultureInfo.InvariantCulture, out int depth) || depth < 0)
            {
                continue;
            }

            string? layer = Cell(cells, columns, "layer");
            ImmutableArray<long> shape = [.. Digits().Matches(Cell(cells, columns, "shape") ?? string.Empty).Select(match => long.Parse(match.Value, CultureInfo.InvariantCulture))];
            string trainable = (Cell(cells, columns, "trainable") ?? "true").ToLowerInvariant();
            bool isTrainable = trainable is not ("false" or "no" or "0" or "frozen");
            rows.TryAdd(name, new ParameterTableRow(name, string.IsNullOrEmpty(layer) ? null : layer, depth, shape, isTrainable));
        }

        return rows;
    }

    private static string? Cell(string[] cells, Dictionary<string, int> columns, string column) =>
        columns.TryGetValue(column, out int index) && index < cells.Length ? cells[index] : null;

    [GeneratedRegex(@"\d+")]
    private static partial Regex Digits();
}
