namespace GradDiag.Writers.Reading;

/// <summary>The kind of a summary record read from an event file.</summary>
public enum SummaryRecordKind
{
    /// <summary>A number: legacy <c>simple_value</c> or a one-element tensor of the <c>scalars</c> plugin.</summary>
    Scalar = 0,

    /// <summary>A histogram: legacy HistogramProto or a [k, 3] tensor of the <c>histograms</c> plugin.</summary>
    Histogram = 1,

    /// <summary>Text of the <c>text</c> plugin, usually Markdown.</summary>
    Text = 2,

    /// <summary>A run's hyperparameters from the <c>hparams</c> plugin's session start record.</summary>
    Hyperparameters = 3,
}
