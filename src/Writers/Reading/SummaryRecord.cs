namespace GradDiag.Writers.Reading;

/// <summary>One value read from an event file.</summary>
public sealed class SummaryRecord
{
    /// <summary>Gets the run's name.</summary>
    public required string Run { get; init; }

    /// <summary>Gets the series name.</summary>
    public required string Tag { get; init; }

    /// <summary>Gets the training step.</summary>
    public required long Step { get; init; }

    /// <summary>Gets the time the value was written, in seconds since the Unix epoch; NaN when the file's value was unusable.</summary>
    public required double WallTime { get; init; }

    /// <summary>Gets the kind of value.</summary>
    public required SummaryRecordKind Kind { get; init; }

    /// <summary>Gets the TensorBoard plugin that owns the series, for example <c>scalars</c>; empty for legacy values without metadata.</summary>
    public string PluginName { get; init; } = string.Empty;

    /// <summary>Gets the scalar value, NaN and infinities included; NaN for other kinds.</summary>
    public double Value { get; init; } = double.NaN;

    /// <summary>
    /// Gets the histogram for <see cref="SummaryRecordKind.Histogram"/>: bucket right edges and counts, with
    /// min, max, count, sum and sum of squares (sum and sum of squares are NaN for tensor histograms, which do not store them).
    /// </summary>
    public HistogramData? Histogram { get; init; }

    /// <summary>Gets the text for <see cref="SummaryRecordKind.Text"/>; the cells of a text tensor of rank 1 or more are joined with new lines.</summary>
    public string? Text { get; init; }

    /// <summary>
    /// Gets the hyperparameters for <see cref="SummaryRecordKind.Hyperparameters"/>: each value is a double, string, bool, null,
    /// a list of such values, or a nested dictionary.
    /// </summary>
    public IReadOnlyDictionary<string, object?>? Hyperparameters { get; init; }
}
