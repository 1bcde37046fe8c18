namespace GradDiag.Cli.Plotting;

/// <summary>
/// Gradient norms of one run for plotting: series (layers or parameters) in depth order, the steps, and a
/// series-by-step matrix of L2 norms where NaN marks a step without a value.
/// </summary>
internal sealed class GradientFlowData
{
    /// <summary>Creates the data and checks that its parts fit together.</summary>
    /// <param name="layers">The series names, input side first.</param>
    /// <param name="steps">The steps, strictly increasing.</param>
    /// <param name="norms">The norms, indexed [layer, step index].</param>
    /// <exception cref="ArgumentException">The matrix does not match the names and steps, or the steps do not increase.</exception>
    public GradientFlowData(IReadOnlyList<string> layers, IReadOnlyList<long> steps, double[,] norms)
    {
        ArgumentNullException.ThrowIfNull(layers);
        ArgumentNullException.ThrowIfNull(steps);
        ArgumentNullException.ThrowIfNull(norms);
        if (norms.GetLength(0) != layers.Count || norms.GetLength(1) != steps.Count)
        {
            throw new ArgumentException(
                $"The norm matrix is {norms.GetLength(0)} x {norms.GetLength(1)}, but there are {layers.Count} layers and {steps.Count} steps.", nameof(norms));
        }

        for (int i = 1; i < steps.Count; i++)
        {
            if (steps[i] <= steps[i - 1])
            {
                throw new ArgumentException($"Steps must increase, but step {steps[i]} at position {i} follows {steps[i - 1]}.", nameof(steps));
            }
        }

        Layers = layers;
        Steps = steps;
        Norms = norms;
    }

    /// <summary>Gets the series names, input side first.</summary>
    public IReadOnlyList<string> Layers { get; }

    /// <summary>Gets the steps, strictly increasing.</summary>
    public IReadOnlyList<long> Steps { get; }

    /// <summary>Gets the norms, indexed [layer, step index]; NaN where a step has no value.</summary>
    public double[,] Norms { get; }

    /// <summary>Returns the data restricted to steps in [<paramref name="fromStep"/>, <paramref name="toStep"/>]; a null bound is open.</summary>
    public GradientFlowData SliceSteps(long? fromStep, long? toStep)
    {
        long low = fromStep ?? long.MinValue;
        long high = toStep ?? long.MaxValue;
        int[] kept = Enumerable.Range(0, Steps.Count).Where(i => Steps[i] >= low && Steps[i] <= high).ToArray();
        var norms = new double[Layers.Count, kept.Length];
        for (int layer = 0; layer < Layers.Count; layer++)
        {
            for (int j = 0; j < kept.Length; j++)
            {
                norms[layer, j] = Norms[layer, kept[j]];
            }
        }

        return new GradientFlowData(Layers, kept.Select(i => Steps[i]).ToArray(), norms);
    }
}
