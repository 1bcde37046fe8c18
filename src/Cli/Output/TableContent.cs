namespace GradDiag.Cli.Output;

/// <summary>A table to show: a title, column headers and rows of already formatted cells.</summary>
/// <param name="Title">The caption shown above the table.</param>
/// <param name="Columns">The column headers.</param>
/// <param name="Rows">The rows; each has one cell per column.</param>
internal sealed record TableContent(string Title, IReadOnlyList<string> Columns, IReadOnlyList<IReadOnlyList<string>> Rows)
{
    /// <summary>Throws when a row's cell count differs from the column count.</summary>
    public void Validate()
    {
        for (int i = 0; i < Rows.Count; i++)
        {
            if (Rows[i].Count != Columns.Count)
            {
                throw new ArgumentException($"Table '{Title}' row {i} has {Rows[i].Count} cells, but the table has {Columns.Count} columns.");
            }
        }
    }
}
