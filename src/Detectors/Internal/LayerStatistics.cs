namespace GradDiag.Detectors;

/// <summary>One step's values per layer, aggregated over the layer's trainable parameters; NaN where unknown.</summary>
/// <remarks>
/// Norms combine as sqrt(sum of squares); a NaN parameter norm makes the layer's norm NaN and an infinite one
/// makes it infinite. Ratios divide the layer's norms, so they weigh parameters by their size.
/// </remarks>
internal sealed class LayerStatistics
{
    private readonly int[] _known;
    private readonly double[] _parameterSquares;
    private readonly double[] _updateSquares;
    private readonly int[] _parameterKnown;
    private readonly int[] _updateKnown;
    private readonly double[] _zeroElements;
    private readonly double[] _zeroCounted;

    public LayerStatistics(int count)
    {
        _known = new int[count];
        _parameterSquares = new double[count];
        _updateSquares = new double[count];
        _parameterKnown = new int[count];
        _updateKnown = new int[count];
        _zeroElements = new double[count];
        _zeroCounted = new double[count];
        GradientNorm = new double[count];
        ParameterNorm = new double[count];
        UpdateNorm = new double[count];
        ZeroFraction = new double[count];
    }

    public int Count => GradientNorm.Length;

    public double[] GradientNorm { get; }

    public double[] ParameterNorm { get; }

    public double[] UpdateNorm { get; }

    /// <summary>Gets the element-weighted fraction of zero gradient entries per layer.</summary>
    public double[] ZeroFraction { get; }

    public double GradientToParameterRatio(int layer) => ParameterNorm[layer] > 0 ? GradientNorm[layer] / ParameterNorm[layer] : double.NaN;

    public double UpdateToParameterRatio(int layer) => ParameterNorm[layer] > 0 ? UpdateNorm[layer] / ParameterNorm[layer] : double.NaN;

    public void Clear()
    {
        Array.Clear(_known);
        Array.Clear(_parameterSquares);
        Array.Clear(_updateSquares);
        Array.Clear(_parameterKnown);
        Array.Clear(_updateKnown);
        Array.Clear(_zeroElements);
        Array.Clear(_zeroCounted);
        Array.Clear(GradientNorm);
    }

    public void Add(int layer, in ParameterStatistics parameter, long elementCount)
    {
        _known[layer]++;

        // Live norms cover finite elements only, so a gradient of NaNs has norm 0. Such a layer gets a NaN norm
        // instead: it belongs to the non-finite detector and must not read as dead or vanishing. An infinite norm
        // (read back from a log, where it means overflow) stays infinite for the exploding detector.
        double norm = parameter.NonFiniteCount > 0 && double.IsFinite(parameter.L2Norm) ? double.NaN : parameter.L2Norm;
        GradientNorm[layer] += norm * norm;
        if (!double.IsNaN(parameter.ParameterNorm))
        {
            _parameterKnown[layer]++;
            _parameterSquares[layer] += parameter.ParameterNorm * parameter.ParameterNorm;
        }

        if (!double.IsNaN(parameter.UpdateNorm))
        {
            _updateKnown[layer]++;
            _updateSquares[layer] += parameter.UpdateNorm * parameter.UpdateNorm;
        }

        if (!double.IsNaN(parameter.ZeroFraction))
        {
            double weight = Math.Max(1, elementCount);
            _zeroElements[layer] += parameter.ZeroFraction * weight;
            _zeroCounted[layer] += weight;
        }
    }

    public void Finish()
    {
        for (int layer = 0; layer < GradientNorm.Length; layer++)
        {
            GradientNorm[layer] = _known[layer] == 0 ? double.NaN : Math.Sqrt(GradientNorm[layer]);
            ParameterNorm[layer] = _parameterKnown[layer] == 0 ? double.NaN : Math.Sqrt(_parameterSquares[layer]);
            UpdateNorm[layer] = _updateKnown[layer] == 0 ? double.NaN : Math.Sqrt(_updateSquares[layer]);
            ZeroFraction[layer] = _zeroCounted[layer] == 0 ? double.NaN : _zeroElements[layer] / _zeroCounted[layer];
        }
    }
}
