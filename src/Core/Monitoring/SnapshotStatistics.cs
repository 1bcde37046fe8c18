namespace GradDiag;

/// <summary>Turns raw moments from a <see cref="GradientSnapshot"/> into <see cref="ParameterStatistics"/>.</summary>
internal static class SnapshotStatistics
{
    /// <summary>The number of host gradient elements from which a histogram step computes its parameters in parallel.</summary>
    internal const long ParallelThreshold = 1 << 16;

    /// <summary>
    /// Fills <paramref name="target"/> from <paramref name="snapshot"/>: host values where present, device
    /// statistics otherwise, and histograms from host values on histogram steps.
    /// </summary>
    /// <param name="snapshot">The step's gradients or device statistics.</param>
    /// <param name="target">Receives every parameter's statistics, the global norm and the non-finite count.</param>
    /// <param name="trackers">The parameters' trackers, which own their histograms.</param>
    /// <param name="histogramStep">Whether to fill the histograms of logged parameters with host values.</param>
    /// <param name="maxThreads">
    /// The maximum number of threads, the caller's included, for a histogram step with at least
    /// <see cref="ParallelThreshold"/> host elements; 0 for one per processor. Other steps run on the caller's thread.
    /// </param>
    public static void Compute(GradientSnapshot snapshot, StepStatistics target, ParameterTracker[] trackers, bool histogramStep, int maxThreads = 1)
    {
        ParameterSet parameters = snapshot.Parameters;
        int count = parameters.Count;
        int threads = maxThreads == 0 ? Environment.ProcessorCount : maxThreads;
        Computed[]? computed = null;
        if (histogramStep && threads > 1 && count > 1 && HostElementCount(snapshot) >= ParallelThreshold)
        {
            computed = ComputeInParallel(snapshot, trackers, threads);
        }

        double globalSumOfSquares = 0;
        long nonFinite = 0;
        bool anyKnown = false;
        for (int i = 0; i < count; i++)
        {
            Computed result = computed is null ? ComputeParameter(snapshot, trackers[i], i, histogramStep) : computed[i];
            if (!result.Known)
            {
                target.Set(i, ParameterStatistics.Unknown);
                continue;
            }

            target.Set(i, result.Statistics);
            globalSumOfSquares += result.GradientSumOfSquares;
            nonFinite += result.Statistics.NonFiniteCount;
            anyKnown = true;
        }

        double globalNorm = snapshot.GlobalNorm;
        if (double.IsNaN(globalNorm) && anyKnown)
        {
            globalNorm = Math.Sqrt(globalSumOfSquares);
        }

        target.GlobalNorm = globalNorm;
        target.NonFiniteCount = anyKnown ? nonFinite : -1;
    }

    /// <summary>Sets the update norm and ratio of every parameter from the snapshot's update sums of squares.</summary>
    public static void ApplyUpdates(GradientSnapshot snapshot, StepStatistics target)
    {
        ReadOnlySpan<ParameterStatistics> perParameter = target.PerParameter;
        for (int i = 0; i < perParameter.Length; i++)
        {
            double updateSumOfSquares = snapshot.GetUpdateSumOfSquares(i);
            if (double.IsNaN(updateSumOfSquares))
            {
                continue;
            }

            double updateNorm = Math.Sqrt(updateSumOfSquares);
            target.Set(i, perParameter[i] with
            {
                UpdateNorm = updateNorm,
                UpdateToParameterRatio = Ratio(updateNorm, perParameter[i].ParameterNorm),
            });
        }
    }

    /// <summary>Derives the per-parameter statistics; a ratio over a zero or unknown parameter norm is NaN.</summary>
    public static ParameterStatistics FromMoments(in TensorStatistics gradient, double parameterSumOfSquares, double updateSumOfSquares)
    {
        long finite = gradient.FiniteCount;
        double norm = gradient.L2Norm;
        double parameterNorm = Math.Sqrt(parameterSumOfSquares);
        double updateNorm = Math.Sqrt(updateSumOfSquares);
        return new ParameterStatistics(
            L2Norm: norm,
            Rms: finite > 0 ? Math.Sqrt(gradient.SumOfSquares / finite) : double.NaN,
            Mean: finite > 0 ? gradient.Sum / finite : double.NaN,
            MaxAbs: gradient.MaxAbs,
            ZeroFraction: gradient.Count > 0 ? (double)gradient.ZeroCount / gradient.Count : double.NaN,
            NonFiniteCount: gradient.NonFiniteCount,
            ParameterNorm: parameterNorm,
            GradientToParameterRatio: Ratio(norm, parameterNorm),
            UpdateNorm: updateNorm,
            UpdateToParameterRatio: Ratio(updateNorm, parameterNorm));
    }

    /// <summary>Computes the global norm from the finite per-parameter norms; NaN when none is finite.</summary>
    public static double GlobalNormFromParameters(ReadOnlySpan<ParameterStatistics> perParameter)
    {
        double sumOfSquares = 0;
        bool any = false;
        foreach (ParameterStatistics statistics in perParameter)
        {
            if (double.IsFinite(statistics.L2Norm))
            {
                sumOfSquares += statistics.L2Norm * statistics.L2Norm;
                any = true;
            }
        }

        return any ? Math.Sqrt(sumOfSquares) : double.NaN;
    }

    private static double Ratio(double numerator, double parameterNorm) =>
        parameterNorm > 0 ? numerator / parameterNorm : double.NaN;

    /// <summary>Computes every parameter of a histogram step on up to <paramref name="threads"/> threads.</summary>
    /// <remarks>A method of its own, so that the lambda's closure is allocated only on this path.</remarks>
    private static Computed[] ComputeInParallel(GradientSnapshot snapshot, ParameterTracker[] trackers, int threads)
    {
        // Histogram filling is bound by computation rather than memory, so a second core nearly halves it. The
        // largest parameters start first, so that no thread is left with a large one at the end.
        ParameterSet parameters = snapshot.Parameters;
        var computed = new Computed[parameters.Count];
        int[] order = [.. Enumerable.Range(0, parameters.Count).OrderByDescending(i => parameters[i].ElementCount)];
        Parallel.For(0, order.Length, new ParallelOptions { MaxDegreeOfParallelism = threads }, k =>
        {
            int i = order[k];
            computed[i] = ComputeParameter(snapshot, trackers[i], i, histogramStep: true);
        });
        return computed;
    }

    private static Computed ComputeParameter(GradientSnapshot snapshot, ParameterTracker tracker, int index, bool histogramStep)
    {
        ParameterDescriptor parameter = snapshot.Parameters[index];
        tracker.HasHistogramThisStep = false;
        ReadOnlyMemory<float> gradient = snapshot.GetGradient(index);
        bool hasDevice = snapshot.TryGetDeviceStatistics(index, out TensorStatistics moments, out double parameterSumOfSquares);
        bool hasHost = !gradient.IsEmpty || parameter.ElementCount == 0;
        if (hasHost)
        {
            moments = TensorStatisticsKernel.Compute(gradient.Span);
            if (histogramStep && !gradient.IsEmpty && tracker.IsLogged)
            {
                tracker.FillHistograms(gradient.Span);
            }
        }
        else if (!hasDevice)
        {
            return default;
        }

        ReadOnlyMemory<float> values = snapshot.GetParameterValues(index);
        if (!values.IsEmpty || (parameter.ElementCount == 0 && !hasDevice))
        {
            parameterSumOfSquares = TensorStatisticsKernel.Compute(values.Span).SumOfSquares;
        }
        else if (!hasDevice)
        {
            parameterSumOfSquares = double.NaN;
        }

        ParameterStatistics statistics = FromMoments(moments, parameterSumOfSquares, snapshot.GetUpdateSumOfSquares(index));
        return new Computed(Known: true, statistics, moments.SumOfSquares);
    }

    private static long HostElementCount(GradientSnapshot snapshot)
    {
        long total = 0;
        for (int i = 0; i < snapshot.Parameters.Count; i++)
        {
            total += snapshot.GetGradient(i).Length;
        }

        return total;
    }

    /// <summary>One parameter's result; <see cref="Known"/> is false when the snapshot contains nothing for it.</summary>
    private readonly record struct Computed(bool Known, ParameterStatistics Statistics, double GradientSumOfSquares);
}
