using System.Globalization;
using System.Text;

namespace GradDiag.Cli.Data;

/// <summary>
/// Reads numeric CSV files with a header row. Fields are separated by commas and may be double-quoted; numbers use
/// the invariant culture (a dot as decimal separator). <c>NaN</c> is allowed in input columns and counted.
/// </summary>
internal static class CsvTableReader
{
    /// <summary>Reads the input columns and the label column of a CSV file.</summary>
    /// <param name="path">The CSV file.</param>
    /// <param name="inputColumns">The input column names in the order wanted, or empty for every column except the label.</param>
    /// <param name="labelColumn">The label column name.</param>
    /// <exception cref="DataFormatException">
    /// The file is missing or empty, a named column does not exist, a row has the wrong number of fields, a value is
    /// not a number, or a label is NaN; the message names the file, line and column.
    /// </exception>
    public static CsvTable Read(string path, IReadOnlyList<string> inputColumns, string labelColumn)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(inputColumns);
        ArgumentNullException.ThrowIfNull(labelColumn);
        if (!File.Exists(path))
        {
            throw new DataFormatException($"Data file '{path}' was not found.");
        }

        using var reader = new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        string? headerLine = reader.ReadLine();
        if (string.IsNullOrWhiteSpace(headerLine))
        {
            throw new DataFormatException($"{path}: line 1 should be a header row of column names, but the file is empty.");
        }

        List<string> header = SplitFields(headerLine, path, 1);
        int labelIndex = IndexOf(header, labelColumn, path, "label");
        int[] inputIndices = inputColumns.Count == 0
            ? Enumerable.Range(0, header.Count).Where(i => i != labelIndex).ToArray()
            : inputColumns.Select(name => IndexOf(header, name, path, "input")).ToArray();
        if (inputIndices.Contains(labelIndex))
        {
            throw new DataFormatException($"{path}: column '{labelColumn}' is both the label column and an input column.");
        }

        if (inputIndices.Length == 0)
        {
            throw new DataFormatException($"{path}: there are no input columns besides the label column '{labelColumn}'.");
        }

        var inputs = new List<float>();
        var labels = new List<double>();
        var lineNumbers = new List<int>();
        var nanCounts = new long[inputIndices.Length];
        int lineNumber = 1;
        while (reader.ReadLine() is string line)
        {
            lineNumber++;
            if (line.Length == 0)
            {
                continue;
            }

            List<string> fields = SplitFields(line, path, lineNumber);
            if (fields.Count != header.Count)
            {
                throw new DataFormatException(
                    string.Create(CultureInfo.InvariantCulture, $"{path}: line {lineNumber} has {fields.Count} fields, but the header has {header.Count} columns."));
            }

            for (int c = 0; c < inputIndices.Length; c++)
            {
                double value = ParseNumber(fields[inputIndices[c]], path, lineNumber, header, inputIndices[c]);
                if (double.IsNaN(value))
                {
                    nanCounts[c]++;
                }

                inputs.Add((float)value);
            }

            double label = ParseNumber(fields[labelIndex], path, lineNumber, header, labelIndex);
            if (double.IsNaN(label))
            {
                throw new DataFormatException(
                    string.Create(CultureInfo.InvariantCulture, $"{path}: line {lineNumber}, label column '{labelColumn}' is NaN; every row needs a label."));
            }

            labels.Add(label);
            lineNumbers.Add(lineNumber);
        }

        if (labels.Count == 0)
        {
            throw new DataFormatException($"{path}: the file has a header row but no data rows.");
        }

        var nanByColumn = new Dictionary<string, long>(StringComparer.Ordinal);
        for (int c = 0; c < inputIndices.Length; c++)
        {
            if (nanCounts[c] > 0)
            {
                nanByColumn[header[inputIndices[c]]] = nanCounts[c];
            }
        }

        return new CsvTable(path, inputIndices.Select(i => header[i]).ToList(), labelColumn, [.. inputs], [.. labels], [.. lineNumbers], nanByColumn);
    }

    private static int IndexOf(List<string> header, string name, string path, string role)
    {
        int index = header.IndexOf(name);
        if (index < 0)
        {
            string known = header.Count <= 12 ? string.Join(", ", header) : $"{string.Join(", ", header.Take(10))}, ... ({header.Count} in all)";
            throw new DataFormatException($"{path}: {role} column '{name}' was not found in the header; the columns are {known}.");
        }

        return index;
    }

    private static double ParseNumber(string text, string path, int line, List<string> header, int column)
    {
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value))
        {
            return value;
        }

        string found = text.Length == 0 ? "an empty value (write NaN for a missing value)" : $"'{text}', which is not a number";
        throw new DataFormatException(
            string.Create(CultureInfo.InvariantCulture, $"{path}: line {line}, column '{header[column]}' (column {column + 1}) has {found}."));
    }

    private static List<string> SplitFields(string line, string path, int lineNumber)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        bool quoted = false;
        for (int i = 0; i < line.Length; i++)
        {
            char c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(c);
                }
            }
            else if (c == '"' && field.Length == 0)
            {
                quoted = true;
            }
            else if (c == ',')
            {
                fields.Add(field.ToString().Trim());
                field.Clear();
            }
            else
            {
                field.Append(c);
            }
        }

        if (quoted)
        {
            // NOTE: a quoted field that spans several lines is not supported; numeric data has no reason to contain one.
            throw new DataFormatException(string.Create(CultureInfo.InvariantCulture, $"{path}: line {lineNumber} has an unclosed double quote."));
        }

        fields.Add(field.ToString().Trim());
        return fields;
    }
}
