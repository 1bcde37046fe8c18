namespace GradDiag.Detectors;

/// <summary>
/// Groups a parameter set into layers in depth order and aggregates per-parameter statistics into per-layer values.
/// </summary>
/// <remarks>
/// A layer's gradient norm is the L2 norm over its parameters, sqrt(sum of squared parameter norms), so that a
/// layer with a weight and a bias is judged as one unit. Parameters whose statistics are unknown at a step are
/// left out; a layer with no known parameter, or with a NaN norm, has a NaN norm at that step.
/// </remarks>
internal sealed class LayerMap
{
    private readonly int[] _layerOfParameter;

    private LayerMap(ParameterSet parameters)
    {
        Parameters = parameters;
        var order = new List<string>();
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        _layerOfParameter = new int[parameters.Count];
        for (int i = 0; i < parameters.Count; i++)
        {
            string layer = parameters[i].Layer;
            if (!index.TryGetValue(layer, out int layerIndex))
            {
                layerIndex = order.Count;
                index.Add(layer, layerIndex);
                order.Add(layer);
            }

            _layerOfParameter[i] = layerIndex;
        }

        Names = [.. order];
        var parameterNames = new List<string>[Names.Length];
        var trainableNames = new List<string>[Names.Length];
        IsTrainable = new bool[Names.Length];
        for (int layer = 0; layer < Names.Length; layer++)
        {
            parameterNames[layer] = [];
            trainableNames[layer] = [];
        }

        for (int i = 0; i < parameters.Count; i++)
        {
            int layer = _layerOfParameter[i];
            parameterNames[layer].Add(parameters[i].Name);
            if (parameters[i].IsTrainable)
            {
                IsTrainable[layer] = true;
                trainableNames[layer].Add(parameters[i].Name);
            }
        }

        ParameterNames = [.. parameterNames.Select(names => (IReadOnlyList<string>)[.. names])];
        TrainableParameterNames = [.. trainableNames.Select(names => (IReadOnlyList<string>)[.. names])];
    }

    public ParameterSet Parameters { get; }

    public int Count => Names.Length;

    /// <summary>Gets the layer names, input side first.</summary>
    public string[] Names { get; }

    /// <summary>Gets, per layer, whether at least one of its parameters is trainable.</summary>
    public bool[] IsTrainable { get; }

    public IReadOnlyList<string>[] ParameterNames { get; }

    public IReadOnlyList<string>[] TrainableParameterNames { get; }

    /// <summary>Returns the map for <paramref name="parameters"/>, reusing <paramref name="current"/> when it already describes them.</summary>
    public static LayerMap For(ParameterSet parameters, LayerMap? current, out bool changed)
    {
        changed = current is null || !ReferenceEquals(current.Parameters, parameters) && !SameNames(current.Parameters, parameters);
        return changed ? new LayerMap(parameters) : current!;
    }

    public int LayerOf(int parameterIndex) => _layerOfParameter[parameterIndex];

    /// <summary>Returns whether a parameter's statistics are wholly unknown, as opposed to known and non-finite.</summary>
    public static bool IsUnknown(in ParameterStatistics statistics) => statistics.NonFiniteCount < 0 && double.IsNaN(statistics.L2Norm);

    /// <summary>Fills <paramref name="layers"/> with this step's per-layer values over trainable parameters; frozen layers get NaN.</summary>
    public void Aggregate(ReadOnlySpan<ParameterStatistics> statistics, LayerStatistics layers)
    {
        layers.Clear();
        for (int i = 0; i < statistics.Length; i++)
        {
            ref readonly ParameterStatistics parameter = ref statistics[i];
            if (!Parameters[i].IsTrainable || IsUnknown(parameter))
            {
                continue;
            }

            layers.Add(_layerOfParameter[i], parameter, Parameters[i].ElementCount);
        }

        layers.Finish();
    }

    /// <summary>
    /// Returns the global gradient norm: the step's own value when known, otherwise the L2 norm over the known
    /// per-parameter norms (infinite when one of them is infinite, NaN when none is known or one is NaN).
    /// </summary>
    public static double GlobalNorm(StepStatistics statistics)
    {
        if (!double.IsNaN(statistics.GlobalNorm))
        {
            return statistics.GlobalNorm;
        }

        double sum = 0;
        int known = 0;
        foreach (ref readonly ParameterStatistics parameter in statistics.PerParameter)
        {
            if (IsUnknown(parameter))
            {
                continue;
            }

            known++;
            sum += parameter.L2Norm * parameter.L2Norm;
        }

        return known == 0 ? double.NaN : Math.Sqrt(sum);
    }

    private static bool SameNames(ParameterSet left, ParameterSet right)
    {
        if (left.Count != right.Count)
        {
            return false;
        }

        for (int i = 0; i < left.Count; i++)
        {
            if (left[i].Name != right[i].Name || left[i].Layer != right[i].Layer || left[i].IsTrainable != right[i].IsTrainable)
            {
                return false;
            }
        }

        return true;
    }
}
