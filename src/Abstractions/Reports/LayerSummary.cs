namespace GradDiag;

/// <summary>The gradient-norm summary of one parameter (or series) over a run.</summary>
public sealed record LayerSummary
{
    /// <summary>Gets the parameter or series name.</summary>
    public required string Name { get; init; }

    /// <summary>Gets the layer the parameter belongs to.</summary>
    public required string Layer { get; init; }

    /// <summary>Gets the position from the input side; 0 is nearest the input.</summary>
    public required int Depth { get; init; }

    /// <summary>Gets the number of steps with a known norm.</summary>
    public long Steps { get; init; }

    /// <summary>Gets the norm at the first observed step.</summary>
    public double FirstNorm { get; init; } = double.NaN;

    /// <summary>Gets the norm at the last observed step.</summary>
    public double LastNorm { get; init; } = double.NaN;

    /// <summary>Gets the smallest finite norm.</summary>
    public double MinNorm { get; init; } = double.NaN;

    /// <summary>Gets the largest finite norm.</summary>
    public double MaxNorm { get; init; } = double.NaN;

    /// <summary>Gets the median of the finite norms (estimated with a bounded-memory sketch for long runs).</summary>
    public double MedianNorm { get; init; } = double.NaN;

    /// <summary>Gets the number of steps whose gradient held NaN or infinite values.</summary>
    public long NonFiniteSteps { get; init; }

    /// <summary>Gets the worst severity among findings that name this parameter or its layer.</summary>
    public Severity? WorstSeverity { get; init; }
}
