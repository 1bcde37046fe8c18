namespace GradDiag.Cli.Data;

/// <summary>Numeric columns read from a CSV file: the chosen input columns, row-major, and the label column.</summary>
internal sealed class CsvTable
{
    /// <summary>Creates a table.</summary>
    public CsvTable(string source, IReadOnlyList<string> inputColumns, string labelColumn, float[] inputs, double[] labels, int[] lineNumbers, IReadOnlyDictionary<string, long> nanCounts)
    {
        LineNumbers = lineNumbers;
        Source = source;
        InputColumns = inputColumns;
        LabelColumn = labelColumn;
        Inputs = inputs;
        Labels = labels;
        NanCounts = nanCounts;
    }

    /// <summary>Gets the file the table came from.</summary>
    public string Source { get; }

    /// <summary>Gets the input column names, in the order of <see cref="Inputs"/>.</summary>
    public IReadOnlyList<string> InputColumns { get; }

    /// <summary>Gets the label column name.</summary>
    public string LabelColumn { get; }

    /// <summary>Gets the input values, row-major: row r, column c is at <c>r * InputColumns.Count + c</c>.</summary>
    public float[] Inputs { get; }

    /// <summary>Gets the label of each row.</summary>
    public double[] Labels { get; }

    /// <summary>Gets the file line number of each row, for messages.</summary>
    public int[] LineNumbers { get; }

    /// <summary>Gets the number of rows.</summary>
    public int RowCount => Labels.Length;

    /// <summary>Gets the number of NaN values per input column, for columns that have any.</summary>
    public IReadOnlyDictionary<string, long> NanCounts { get; }
}
