namespace GradDiag.Samples.TinyMlp;

/// <summary>
/// A small detector written against <see cref="IGradientDetector"/>: it opens an exploding (or non-finite)
/// finding when the global norm leaves its early baseline by a large factor, and a vanishing finding when the
/// input layer's gradient norm falls far below the output layer's.
/// </summary>
/// <remarks>
/// State is bounded: a baseline from the first three observed steps, a streak counter and an 8-step evidence window.
/// It allocates only when a finding opens or closes.
/// </remarks>
public sealed class DepthRatioDetector : IGradientDetector
{
    private const int BaselineSteps = 3;
    private const int WindowLength = 8;

    private readonly List<Finding> _findings = [];
    private readonly EvidencePoint[] _window = new EvidencePoint[WindowLength];
    private int _windowCount;
    private double _baselineLogSum;
    private int _baselineCount;
    private int _vanishingStreak;
    private int _explodingIndex = -1;
    private int _vanishingIndex = -1;

    /// <summary>Gets or sets how many times its baseline the global norm must reach to count as exploding.</summary>
    public double ExplodingFactor { get; set; } = 100;

    /// <summary>Gets or sets the input-to-output norm ratio below which gradients count as vanishing.</summary>
    public double VanishingRatio { get; set; } = 1e-3;

    /// <summary>Gets or sets the number of consecutive observed steps below <see cref="VanishingRatio"/> before a finding opens.</summary>
    public int VanishingSteps { get; set; } = 5;

    /// <inheritdoc/>
    public string Name => "depth-ratio";

    /// <inheritdoc/>
    public IReadOnlyList<Finding> Findings => _findings;

    /// <inheritdoc/>
    public void Observe(StepStatistics statistics, IDetectorContext context)
    {
        ArgumentNullException.ThrowIfNull(statistics);
        ArgumentNullException.ThrowIfNull(context);
        double globalNorm = statistics.GlobalNorm;
        Remember(statistics.Step, globalNorm);
        CheckExploding(statistics, context, globalNorm);

        // Saturated layers of a diverging network also have tiny gradients; the explosion is the cause to report.
        if (_explodingIndex < 0)
        {
            CheckVanishing(statistics, context);
        }
    }

    /// <inheritdoc/>
    public void Complete(IDetectorContext context)
    {
    }

    /// <inheritdoc/>
    public void Reset()
    {
        _findings.Clear();
        _windowCount = 0;
        _baselineLogSum = 0;
        _baselineCount = 0;
        _vanishingStreak = 0;
        _explodingIndex = -1;
        _vanishingIndex = -1;
    }

    private void CheckExploding(StepStatistics statistics, IDetectorContext context, double globalNorm)
    {
        bool nonFinite = statistics.NonFiniteCount > 0 || !double.IsFinite(globalNorm) || double.IsInfinity(statistics.Loss);
        if (!nonFinite && _baselineCount < BaselineSteps && globalNorm > 0)
        {
            _baselineLogSum += Math.Log(globalNorm);
            _baselineCount++;
            return;
        }

        double baseline = _baselineCount > 0 ? Math.Exp(_baselineLogSum / _baselineCount) : double.NaN;
        bool exploding = nonFinite || (_baselineCount >= BaselineSteps && globalNorm > ExplodingFactor * baseline);
        if (exploding && _explodingIndex < 0)
        {
            var finding = new Finding
            {
                Id = $"{Name}:exploding:global",
                Detector = Name,
                Kind = nonFinite ? FindingKind.NonFinite : FindingKind.Exploding,
                Severity = nonFinite ? Severity.Critical : Severity.Error,
                Message = nonFinite
                    ? $"Gradients or loss stopped being finite at step {statistics.Step}."
                    : $"Global gradient norm {globalNorm:G3} is {globalNorm / baseline:G3}x its early baseline {baseline:G3}.",
                FirstStep = statistics.Step,
                LastStep = statistics.Step,
                Evidence = Evidence("grad_norm_global", ("baseline", baseline), ("factor", ExplodingFactor)),
                Remedy = "Lower the learning rate, clip the global gradient norm, or turn on SkipNonFiniteUpdates.",
            };
            _explodingIndex = _findings.Count;
            _findings.Add(finding);
            context.Report(new FindingEvent(FindingEventKind.Opened, finding, statistics.Step));
        }
        else if (!exploding && _explodingIndex >= 0)
        {
            Close(ref _explodingIndex, statistics.Step, context);
        }
    }

    private void CheckVanishing(StepStatistics statistics, IDetectorContext context)
    {
        ReadOnlySpan<ParameterStatistics> perParameter = statistics.PerParameter;
        if (perParameter.Length < 2)
        {
            return;
        }

        // Parameters come in depth order: the first is nearest the input, the last nearest the output.
        double inputNorm = perParameter[0].L2Norm;
        double outputNorm = 0;
        int outputDepth = statistics.Parameters[^1].Depth;
        for (int i = perParameter.Length - 1; i >= 0 && statistics.Parameters[i].Depth == outputDepth; i--)
        {
            outputNorm = Math.Max(outputNorm, perParameter[i].L2Norm);
        }

        if (!double.IsFinite(inputNorm) || !(outputNorm > 0))
        {
            return;
        }

        double ratio = inputNorm / outputNorm;
        _vanishingStreak = ratio < VanishingRatio ? _vanishingStreak + 1 : 0;
        if (_vanishingStreak >= VanishingSteps && _vanishingIndex < 0)
        {
            string input = statistics.Parameters[0].Name;
            var finding = new Finding
            {
                Id = $"{Name}:vanishing:{input}",
                Detector = Name,
                Kind = FindingKind.Vanishing,
                Severity = Severity.Error,
                Message = $"Gradient norm of {input} is {ratio:G3} of the output layer's for {_vanishingStreak} steps.",
                Parameters = [input],
                Layers = [statistics.Parameters[0].Layer],
                FirstStep = statistics.Step - _vanishingStreak + 1,
                LastStep = statistics.Step,
                Evidence = Evidence(SummaryTags.GradientNormPrefix + input, ("ratio", ratio), ("threshold", VanishingRatio)),
                Remedy = "Use fewer layers, a non-saturating activation such as ReLU or tanh, residual connections or normalization.",
            };
            _vanishingIndex = _findings.Count;
            _findings.Add(finding);
            context.Report(new FindingEvent(FindingEventKind.Opened, finding, statistics.Step));
        }
        else if (_vanishingIndex >= 0 && ratio > VanishingRatio * 10)
        {
            Close(ref _vanishingIndex, statistics.Step, context);
        }
    }

    private void Close(ref int index, long step, IDetectorContext context)
    {
        Finding closed = _findings[index] with { LastStep = step - 1, ClosedAtStep = step };
        _findings[index] = closed;
        index = -1;
        context.Report(new FindingEvent(FindingEventKind.Closed, closed, step));
    }

    private void Remember(long step, double value)
    {
        if (_windowCount == WindowLength)
        {
            Array.Copy(_window, 1, _window, 0, WindowLength - 1);
            _windowCount--;
        }

        _window[_windowCount++] = new EvidencePoint(step, value);
    }

    private FindingEvidence Evidence(string series, params (string Name, double Value)[] values) => new()
    {
        Series = series,
        Window = _window[.._windowCount],
        Values = values.ToDictionary(v => v.Name, v => v.Value),
    };
}
