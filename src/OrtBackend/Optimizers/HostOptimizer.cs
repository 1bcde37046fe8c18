using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace GradDiag.OrtBackend.Optimizers;

/// <summary>
/// Applies the optimizer model's update to host arrays, one range of one parameter at a time, in one vectorised
/// pass that can also measure the gradient, the values before and after, and the update.
/// </summary>
/// <remarks>
/// <para>
/// The update evaluates the float32 operations that <see cref="UpdateRule"/> emits, in the same order and without
/// fused multiply-adds, so SGD's new values equal the optimizer model's on the CPU bit for bit. Adam's also use the
/// same bias-correction scalars, computed with <see cref="MathF.Pow"/>.
/// </para>
/// <para>
/// An observed pass reads each gradient, value and state element once, which is the point of doing the update
/// here: on the CPU the pass is bound by memory bandwidth, so the measurements cost little beyond the update
/// itself. Sums are kept in float32 lanes over blocks of 32 vectors and added into float64 between blocks. A block
/// is computed again in float64 when a float32 sum is not finite (NaN, ±Infinity or overflow) or so small that
/// squares below float32's normal range could matter: for the gradient the rule of
/// <see cref="TensorStatisticsKernel"/>, for the update a largest |Δ| that is nonzero and below 2^-50, and for the
/// values a block sum of squares below 2^-60. So each block's sums are within 33 × 2^-24 relative of their exact
/// values (the kernel's bound), and non-finite elements never reach them.
/// </para>
/// </remarks>
internal sealed class HostOptimizer
{
    private const int VectorsPerBlock = 32;
    private const float SmallBlockMax = 8.8817842e-16f;
    private const float TinyBlockSquares = 8.6736174e-19f;

    private readonly OptimizerOptions _options;

    /// <summary>Creates the optimizer for validated hyperparameters.</summary>
    /// <exception cref="ArgumentException">A hyperparameter is out of range.</exception>
    public HostOptimizer(OptimizerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
    }

    /// <summary>Gets the hyperparameters.</summary>
    public OptimizerOptions Options => _options;

    /// <summary>Gets the number of state arrays per parameter: 0 for plain SGD, 1 for SGD with momentum, 2 for Adam and AdamW.</summary>
    public int StateCount
    {
        get
        {
            if (_options.Kind != OptimizerKind.Sgd)
            {
                return 2;
            }

            return _options.Momentum > 0 ? 1 : 0;
        }
    }

    /// <summary>
    /// Returns the factor of PyTorch's clip_grad_norm_ for a global norm, min(1, max_norm / (norm + 1e-6)) in
    /// float32, or 1 without clipping. A NaN norm gives NaN, as in the optimizer model.
    /// </summary>
    public float ClippingFactor(double globalNorm)
    {
        if (_options.MaxGradientNorm is not { } maxNorm)
        {
            return 1f;
        }

        float factor = (float)maxNorm / ((float)globalNorm + 1e-6f);
        return float.IsNaN(factor) ? float.NaN : MathF.Min(factor, 1f);
    }

    /// <summary>
    /// Writes one range of a parameter's new value and state: <paramref name="newValue"/> and <paramref name="newState"/>
    /// from <paramref name="value"/>, <paramref name="gradient"/> × <paramref name="gradientScale"/> and <paramref name="state"/>.
    /// With <paramref name="observe"/> the same pass measures the range's gradient, values and update.
    /// </summary>
    /// <param name="value">The current values.</param>
    /// <param name="gradient">The gradient, unscaled.</param>
    /// <param name="state">The current state arrays, <see cref="StateCount"/> of them, in the optimizer model's order.</param>
    /// <param name="newValue">Receives the new values. It must be another array than <paramref name="value"/>.</param>
    /// <param name="newState">Receives the new state, in the same order.</param>
    /// <param name="start">The first element of the range.</param>
    /// <param name="length">The number of elements of the range.</param>
    /// <param name="learningRate">The learning rate of this update.</param>
    /// <param name="step">The 1-based number of the update, for Adam's bias correction.</param>
    /// <param name="gradientScale">The clipping factor, 1 without clipping.</param>
    /// <param name="observe">Whether to measure. Without it the result is the default value.</param>
    /// <param name="measureOldValues">Whether to measure the values before the update as well.</param>
    /// <returns>The measurements, or the default value when <paramref name="observe"/> is false.</returns>
    public ParameterUpdateStatistics Update(
        float[] value,
        float[] gradient,
        ReadOnlySpan<float[]> state,
        float[] newValue,
        ReadOnlySpan<float[]> newState,
        int start,
        int length,
        float learningRate,
        long step,
        float gradientScale,
        bool observe,
        bool measureOldValues)
    {
        if (gradient.Length != value.Length || newValue.Length != value.Length || state.Length != StateCount || newState.Length != StateCount)
        {
            throw new ArgumentException($"The update needs equal lengths and {StateCount} state arrays. Found value {value.Length}, gradient {gradient.Length}, new value {newValue.Length}, state {state.Length} and {newState.Length}.");
        }

        for (int k = 0; k < StateCount; k++)
        {
            // The vector loops read and write state with unchecked loads, so a short array must not get that far.
            if (state[k].Length != value.Length || newState[k].Length != value.Length)
            {
                throw new ArgumentException($"State array {k} has {state[k].Length} elements and its new array {newState[k].Length}. Both need {value.Length}, as the value has.");
            }
        }

        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(start, value.Length - length);
        var range = new Range(value, gradient, newValue, start, length);

        // Every setting that selects an operation becomes a type argument, so each loop is compiled without branches.
        float weightDecay = (float)_options.WeightDecay;
        bool decays = _options.WeightDecay != 0;
        var pass = new Pass(range, gradientScale, observe, measureOldValues);
        switch (_options.Kind)
        {
            case OptimizerKind.Sgd when _options.Momentum > 0:
                float momentum = (float)_options.Momentum;
                return (decays, _options.Nesterov) switch
                {
                    (false, false) => pass.Run(new SgdMomentum<Unset, Unset>(state[0], newState[0], momentum, learningRate, weightDecay)),
                    (false, true) => pass.Run(new SgdMomentum<Unset, Set>(state[0], newState[0], momentum, learningRate, weightDecay)),
                    (true, false) => pass.Run(new SgdMomentum<Set, Unset>(state[0], newState[0], momentum, learningRate, weightDecay)),
                    _ => pass.Run(new SgdMomentum<Set, Set>(state[0], newState[0], momentum, learningRate, weightDecay)),
                };
            case OptimizerKind.Sgd:
                return decays ? pass.Run(new Sgd<Set>(learningRate, weightDecay)) : pass.Run(new Sgd<Unset>(learningRate, weightDecay));
            case OptimizerKind.Adam when decays:
                return pass.Run(new Adam<Set, Unset>(state, newState, _options, learningRate, step));
            case OptimizerKind.AdamW when decays:
                return pass.Run(new Adam<Unset, Set>(state, newState, _options, learningRate, step));
            default:
                return pass.Run(new Adam<Unset, Unset>(state, newState, _options, learningRate, step));
        }
    }

    private static void Plain<TRule>(in TRule rule, in Range range)
        where TRule : struct, IRule
    {
        ref float g0 = ref MemoryMarshal.GetArrayDataReference(range.Gradient);
        ref float p0 = ref MemoryMarshal.GetArrayDataReference(range.Value);
        ref float n0 = ref MemoryMarshal.GetArrayDataReference(range.NewValue);
        for (int i = range.Start; i < range.VectorEnd; i += Vector<float>.Count)
        {
            Vector<float> g = Vector.LoadUnsafe(ref g0, (nuint)i);
            Vector<float> p = Vector.LoadUnsafe(ref p0, (nuint)i);
            rule.Apply(g, p, i).StoreUnsafe(ref n0, (nuint)i);
        }

        ApplyTail(rule, range);
    }

    /// <summary>Updates the elements after the range's last whole vector one at a time.</summary>
    private static void ApplyTail<TRule>(in TRule rule, in Range range)
        where TRule : struct, IRule
    {
        for (int i = range.VectorEnd; i < range.End; i++)
        {
            range.NewValue[i] = rule.Apply(range.Gradient[i], range.Value[i], i);
        }
    }

    private static ParameterUpdateStatistics Observed<TRule, TMeasureOld>(in TRule rule, in Range range)
        where TRule : struct, IRule
        where TMeasureOld : struct, IFlag
    {
        bool measureOld = TMeasureOld.IsSet;
        float[] gradient = range.Gradient;
        float[] value = range.Value;
        float[] newValue = range.NewValue;
        ref float g0 = ref MemoryMarshal.GetArrayDataReference(gradient);
        ref float p0 = ref MemoryMarshal.GetArrayDataReference(value);
        ref float n0 = ref MemoryMarshal.GetArrayDataReference(newValue);
        int blockLength = VectorsPerBlock * Vector<float>.Count;
        int end = range.End;
        int vectorEnd = range.VectorEnd;
        var lanes = default(LaneTotals);
        var exact = default(ExactTotals);
        for (int blockStart = range.Start; blockStart < vectorEnd; blockStart += blockLength)
        {
            int blockEnd = Math.Min(vectorEnd, blockStart + blockLength);
            var (gradientSquares, gradientSum, gradientMax, zeros, newSquares, updateSquares, updateMax, oldSquares) =
                UpdateBlock<TRule, TMeasureOld>(rule, ref g0, ref p0, ref n0, blockStart, blockEnd);
            int count = blockEnd - blockStart;
            if (IsExact(gradientSquares, gradientMax))
            {
                lanes.GradientSquares += Widen(gradientSquares);
                lanes.GradientSum += Widen(gradientSum);
                lanes.GradientMax = Vector.MaxNative(lanes.GradientMax, gradientMax);
                lanes.Zeros += zeros;
            }
            else
            {
                exact.Add(TensorStatisticsKernel.Compute(gradient.AsSpan(blockStart, count)));
            }

            if (IsExact(updateSquares, updateMax))
            {
                lanes.UpdateSquares += Widen(updateSquares);
            }
            else
            {
                exact.UpdateSquares += SquaredDifferences(newValue.AsSpan(blockStart, count), value.AsSpan(blockStart, count));
            }

            if (IsLargeEnough(newSquares))
            {
                lanes.NewSquares += Widen(newSquares);
            }
            else
            {
                exact.NewSquares += FiniteSquares(newValue.AsSpan(blockStart, count));
            }

            if (measureOld)
            {
                if (IsLargeEnough(oldSquares))
                {
                    lanes.OldSquares += Widen(oldSquares);
                }
                else
                {
                    exact.OldSquares += FiniteSquares(value.AsSpan(blockStart, count));
                }
            }
        }

        ApplyTail(rule, range);
        if (vectorEnd < end)
        {
            int tail = end - vectorEnd;
            exact.Add(TensorStatisticsKernel.Compute(gradient.AsSpan(vectorEnd, tail)));
            exact.UpdateSquares += SquaredDifferences(newValue.AsSpan(vectorEnd, tail), value.AsSpan(vectorEnd, tail));
            exact.NewSquares += FiniteSquares(newValue.AsSpan(vectorEnd, tail));
            exact.OldSquares += measureOld ? FiniteSquares(value.AsSpan(vectorEnd, tail)) : 0;
        }

        float laneMax = 0;
        for (int lane = 0; lane < Vector<float>.Count; lane++)
        {
            laneMax = Math.Max(laneMax, lanes.GradientMax[lane]);
        }

        var statistics = new TensorStatistics(
            range.Length,
            Vector.Sum(lanes.GradientSquares) + exact.GradientSquares,
            Vector.Sum(lanes.GradientSum) + exact.GradientSum,
            Math.Max(laneMax, exact.GradientMax),
            exact.NonFinite,
            Vector.Sum(lanes.Zeros) + exact.Zeros);
        return new ParameterUpdateStatistics(
            statistics,
            measureOld ? Vector.Sum(lanes.OldSquares) + exact.OldSquares : double.NaN,
            Vector.Sum(lanes.NewSquares) + exact.NewSquares,
            Vector.Sum(lanes.UpdateSquares) + exact.UpdateSquares);
    }

    /// <summary>Updates the whole vectors from <paramref name="start"/> to <paramref name="end"/> and returns their float32 lane sums.</summary>
    /// <remarks>
    /// A method of its own, without calls, so that the JIT keeps every sum in a register. Inlined into
    /// <see cref="Observed"/>, the JIT stored three of them to the stack in every iteration, because the float64 block
    /// code after the loop calls other methods, and the pass took twice as long.
    /// </remarks>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static BlockSums UpdateBlock<TRule, TMeasureOld>(TRule rule, ref float g0, ref float p0, ref float n0, int start, int end)
        where TRule : struct, IRule
        where TMeasureOld : struct, IFlag
    {
        Vector<float> gradientSquares = Vector<float>.Zero, gradientSum = Vector<float>.Zero, gradientMax = Vector<float>.Zero;
        Vector<float> newSquares = Vector<float>.Zero, updateSquares = Vector<float>.Zero, updateMax = Vector<float>.Zero;
        Vector<float> oldSquares = Vector<float>.Zero;
        Vector<int> zeros = Vector<int>.Zero;
        for (int i = start; i < end; i += Vector<float>.Count)
        {
            Vector<float> g = Vector.LoadUnsafe(ref g0, (nuint)i);
            Vector<float> p = Vector.LoadUnsafe(ref p0, (nuint)i);
            Vector<float> n = rule.Apply(g, p, i);
            n.StoreUnsafe(ref n0, (nuint)i);

            gradientSquares = Vector.FusedMultiplyAdd(g, g, gradientSquares);
            gradientSum += g;
            gradientMax = MaxAbs(gradientMax, g);

            // A mask lane is -1 as an integer, so subtracting it counts the lane.
            zeros -= Vector.Equals(g, Vector<float>.Zero);
            newSquares = Vector.FusedMultiplyAdd(n, n, newSquares);
            Vector<float> difference = n - p;
            updateSquares = Vector.FusedMultiplyAdd(difference, difference, updateSquares);
            updateMax = MaxAbs(updateMax, difference);
            if (TMeasureOld.IsSet)
            {
                oldSquares = Vector.FusedMultiplyAdd(p, p, oldSquares);
            }
        }

        return new BlockSums(gradientSquares, gradientSum, gradientMax, zeros, newSquares, updateSquares, updateMax, oldSquares);
    }

    /// <summary>Returns whether float32 block sums can be kept: finite, and the largest |x| zero or at least 2^-50.</summary>
    private static bool IsExact(Vector<float> squares, Vector<float> max) =>
        Vector.LessThanAll(squares, new Vector<float>(float.PositiveInfinity)) &&
        (!Vector.LessThanAll(max, new Vector<float>(SmallBlockMax)) || Vector.EqualsAll(max, Vector<float>.Zero));

    /// <summary>Returns whether a float32 block sum of squares can be kept: finite, and some lane at least 2^-60.</summary>
    private static bool IsLargeEnough(Vector<float> squares) =>
        Vector.LessThanAll(squares, new Vector<float>(float.PositiveInfinity)) &&
        !Vector.LessThanAll(squares, new Vector<float>(TinyBlockSquares));

    /// <summary>Returns the lane-wise maximum of <paramref name="max"/> and |<paramref name="x"/>|, for non-NaN lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<float> MaxAbs(Vector<float> max, Vector<float> x)
    {
        // vrangeps with control 0b1011 takes the operand of larger magnitude and clears its sign in one instruction.
        // The pass is bound by vector arithmetic once its data is in cache, so one instruction fewer per vector counts.
        if (Vector<float>.Count == Vector256<float>.Count && Avx512DQ.VL.IsSupported)
        {
            return Avx512DQ.VL.Range(max.AsVector256(), x.AsVector256(), 0b1011).AsVector();
        }

        return Vector.MaxNative(max, Vector.Abs(x));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<double> Widen(Vector<float> lanes)
    {
        Vector.Widen(lanes, out Vector<double> lower, out Vector<double> upper);
        return lower + upper;
    }

    private static double FiniteSquares(ReadOnlySpan<float> values)
    {
        double total = 0;
        foreach (float value in values)
        {
            double x = float.IsFinite(value) ? value : 0;
            total += x * x;
        }

        return total;
    }

    private static double SquaredDifferences(ReadOnlySpan<float> after, ReadOnlySpan<float> before)
    {
        double total = 0;
        for (int i = 0; i < after.Length; i++)
        {
            double difference = after[i] - before[i];
            total += difference * difference;
        }

        return total;
    }

    /// <summary>The arrays of one parameter and the range of elements a pass covers.</summary>
    private readonly record struct Range(float[] Value, float[] Gradient, float[] NewValue, int Start, int Length)
    {
        /// <summary>Gets the index after the range's last element.</summary>
        public int End => Start + Length;

        /// <summary>Gets the index after the range's last whole vector.</summary>
        public int VectorEnd => End - (Length % Vector<float>.Count);
    }

    /// <summary>One update rule, applied to a vector of elements starting at an index or to one element.</summary>
    private interface IRule
    {
        /// <summary>Returns the new values and writes the new state of the elements from <paramref name="index"/>.</summary>
        Vector<float> Apply(Vector<float> gradient, Vector<float> value, int index);

        /// <summary>Returns the new value and writes the new state of one element.</summary>
        float Apply(float gradient, float value, int index);
    }

    /// <summary>A setting that is fixed for a whole pass, as a type argument, so that the JIT compiles its branches away.</summary>
    private interface IFlag
    {
        /// <summary>Gets a value indicating whether the setting is on.</summary>
        static abstract bool IsSet { get; }
    }

    /// <summary>A setting that is on.</summary>
    private readonly struct Set : IFlag
    {
        public static bool IsSet => true;
    }

    /// <summary>A setting that is off.</summary>
    private readonly struct Unset : IFlag
    {
        public static bool IsSet => false;
    }

    /// <summary>The arrays, range and switches of one pass, which pick the loop for a rule.</summary>
    private readonly struct Pass(Range range, float gradientScale, bool observe, bool measureOldValues)
    {
        public ParameterUpdateStatistics Run<TRule>(in TRule rule)
            where TRule : struct, IRule =>
            gradientScale != 1f ? Select(new Scaled<TRule>(rule, gradientScale)) : Select(rule);

        private ParameterUpdateStatistics Select<TRule>(in TRule rule)
            where TRule : struct, IRule
        {
            if (!observe)
            {
                Plain(rule, range);
                return default;
            }

            return measureOldValues ? Observed<TRule, Set>(rule, range) : Observed<TRule, Unset>(rule, range);
        }
    }

    /// <summary>A rule applied to the gradient times the clipping factor; the measurements still see the gradient itself.</summary>
    private readonly struct Scaled<TRule>(TRule rule, float scale) : IRule
        where TRule : struct, IRule
    {
        public Vector<float> Apply(Vector<float> gradient, Vector<float> value, int index) => rule.Apply(gradient * scale, value, index);

        public float Apply(float gradient, float value, int index) => rule.Apply(gradient * scale, value, index);
    }

    /// <summary>d = g + wd·w with <typeparamref name="TDecay"/>, else d = g, and then w − lr·d.</summary>
    private readonly struct Sgd<TDecay>(float learningRate, float weightDecay) : IRule
        where TDecay : struct, IFlag
    {
        public Vector<float> Apply(Vector<float> gradient, Vector<float> value, int index)
        {
            Vector<float> direction = TDecay.IsSet ? gradient + (value * weightDecay) : gradient;
            return value - (direction * learningRate);
        }

        public float Apply(float gradient, float value, int index)
        {
            float direction = TDecay.IsSet ? gradient + (value * weightDecay) : gradient;
            return value - (direction * learningRate);
        }
    }

    /// <summary>
    /// d = g, plus wd·w with <typeparamref name="TDecay"/>. Then buf = μ·buf + d, d = d + μ·buf with
    /// <typeparamref name="TNesterov"/> or else d = buf, and w − lr·d.
    /// </summary>
    private readonly struct SgdMomentum<TDecay, TNesterov>(float[] buffer, float[] newBuffer, float momentum, float learningRate, float weightDecay) : IRule
        where TDecay : struct, IFlag
        where TNesterov : struct, IFlag
    {
        public Vector<float> Apply(Vector<float> gradient, Vector<float> value, int index)
        {
            Vector<float> direction = TDecay.IsSet ? gradient + (value * weightDecay) : gradient;
            Vector<float> updated = (Vector.LoadUnsafe(ref MemoryMarshal.GetArrayDataReference(buffer), (nuint)index) * momentum) + direction;
            updated.StoreUnsafe(ref MemoryMarshal.GetArrayDataReference(newBuffer), (nuint)index);
            direction = TNesterov.IsSet ? direction + (updated * momentum) : updated;
            return value - (direction * learningRate);
        }

        public float Apply(float gradient, float value, int index)
        {
            float direction = TDecay.IsSet ? gradient + (value * weightDecay) : gradient;
            float updated = (buffer[index] * momentum) + direction;
            newBuffer[index] = updated;
            direction = TNesterov.IsSet ? direction + (updated * momentum) : updated;
            return value - (direction * learningRate);
        }
    }

    /// <summary>
    /// Adam and AdamW as <see cref="UpdateRule"/> emits them: m = β1·m + (1−β1)·g, v = β2·v + (1−β2)·g²,
    /// w − (m / (√v / √(1−β2^t) + ε))·(lr / (1−β1^t)), with L2 decay in g (<typeparamref name="TL2Decay"/>, Adam) or
    /// w·(1 − lr·wd) (<typeparamref name="TDecoupledDecay"/>, AdamW).
    /// </summary>
    private readonly struct Adam<TL2Decay, TDecoupledDecay> : IRule
        where TL2Decay : struct, IFlag
        where TDecoupledDecay : struct, IFlag
    {
        private readonly float[] _firstMoment;
        private readonly float[] _secondMoment;
        private readonly float[] _newFirstMoment;
        private readonly float[] _newSecondMoment;
        private readonly float _beta1;
        private readonly float _oneMinusBeta1;
        private readonly float _beta2;
        private readonly float _oneMinusBeta2;
        private readonly float _epsilon;
        private readonly float _stepSize;
        private readonly float _rootCorrection2;
        private readonly float _weightDecay;
        private readonly float _weightFactor;

        public Adam(ReadOnlySpan<float[]> state, ReadOnlySpan<float[]> newState, OptimizerOptions options, float learningRate, long step)
        {
            _firstMoment = state[0];
            _secondMoment = state[1];
            _newFirstMoment = newState[0];
            _newSecondMoment = newState[1];
            _beta1 = (float)options.Beta1;
            _oneMinusBeta1 = (float)(1 - options.Beta1);
            _beta2 = (float)options.Beta2;
            _oneMinusBeta2 = (float)(1 - options.Beta2);
            _epsilon = (float)options.Epsilon;
            float t = step;
            _stepSize = learningRate / (1f - MathF.Pow(_beta1, t));
            _rootCorrection2 = MathF.Sqrt(1f - MathF.Pow(_beta2, t));
            _weightDecay = (float)options.WeightDecay;
            _weightFactor = 1f - (learningRate * _weightDecay);
        }

        public Vector<float> Apply(Vector<float> gradient, Vector<float> value, int index)
        {
            if (TL2Decay.IsSet)
            {
                gradient += value * _weightDecay;
            }

            Vector<float> weights = TDecoupledDecay.IsSet ? value * _weightFactor : value;
            nuint at = (nuint)index;
            Vector<float> first = (Vector.LoadUnsafe(ref MemoryMarshal.GetArrayDataReference(_firstMoment), at) * _beta1) + (gradient * _oneMinusBeta1);
            Vector<float> second = (Vector.LoadUnsafe(ref MemoryMarshal.GetArrayDataReference(_secondMoment), at) * _beta2) + (gradient * gradient * _oneMinusBeta2);
            first.StoreUnsafe(ref MemoryMarshal.GetArrayDataReference(_newFirstMoment), at);
            second.StoreUnsafe(ref MemoryMarshal.GetArrayDataReference(_newSecondMoment), at);
            Vector<float> denominator = (Vector.SquareRoot(second) / _rootCorrection2) + new Vector<float>(_epsilon);
            return weights - (first / denominator * _stepSize);
        }

        public float Apply(float gradient, float value, int index)
        {
            if (TL2Decay.IsSet)
            {
                gradient += value * _weightDecay;
            }

            float weights = TDecoupledDecay.IsSet ? value * _weightFactor : value;
            float first = (_firstMoment[index] * _beta1) + (gradient * _oneMinusBeta1);
            float second = (_secondMoment[index] * _beta2) + (gradient * gradient * _oneMinusBeta2);
            _newFirstMoment[index] = first;
            _newSecondMoment[index] = second;
            float denominator = (MathF.Sqrt(second) / _rootCorrection2) + _epsilon;
            return weights - (first / denominator * _stepSize);
        }
    }

    /// <summary>The float32 lane sums and maxima of one block.</summary>
    private readonly record struct BlockSums(
        Vector<float> GradientSquares,
        Vector<float> GradientSum,
        Vector<float> GradientMax,
        Vector<int> Zeros,
        Vector<float> NewSquares,
        Vector<float> UpdateSquares,
        Vector<float> UpdateMax,
        Vector<float> OldSquares);

    /// <summary>The float64 lane totals of the blocks kept in float32.</summary>
    private struct LaneTotals
    {
        public Vector<double> GradientSquares;
        public Vector<double> GradientSum;
        public Vector<float> GradientMax;
        public Vector<int> Zeros;
        public Vector<double> OldSquares;
        public Vector<double> NewSquares;
        public Vector<double> UpdateSquares;
    }

    /// <summary>The float64 totals of the blocks computed again, and of the elements after the last whole vector.</summary>
    private struct ExactTotals
    {
        public double GradientSquares;
        public double GradientSum;
        public double GradientMax;
        public long NonFinite;
        public long Zeros;
        public double OldSquares;
        public double NewSquares;
        public double UpdateSquares;

        public void Add(in TensorStatistics statistics)
        {
            GradientSquares += statistics.SumOfSquares;
            GradientSum += statistics.Sum;
            GradientMax = Math.Max(GradientMax, statistics.MaxAbs);
            NonFinite += statistics.NonFiniteCount;
            Zeros += statistics.ZeroCount;
        }
    }
}
