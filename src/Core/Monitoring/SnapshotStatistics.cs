namespace GradDiag;

/// <summary>Turns raw moments from a <see cref="GradientSnapshot"/> into <see cref="ParameterStatistics"/>.</summary>
internal static class SnapshotStatistics
{
    /// <summary>
    /// Fills <paramref name="target"/> from <paramref name="snapshot"/>: host values where present, device
    /// statistics otherwise, and histograms from host values on histogram steps.
    /// </summary>
    public static void Compute(GradientSnapshot snapshot, StepStatistics target, ParameterTracker[] trackers, bool histogramStep)
    {
        double globalSumOfSquares = 0;
        long nonFinite = 0;
        bool anyKnown = false;
        ParameterSet parameters = snapshot.Parameters;
        for (int i = 0; i < parameters.Count; i++)
        {
            trackers[i].HasHistogramThisStep = false;
            ReadOnlyMemory<float> gradient = snapshot.GetGradient(i);
            bool hasDevice = snapshot.TryGetDeviceStatistics(i, out TensorStatistics moments, out double parameterSumOfSquares);
            bool hasHost = !gradient.IsEmpty || parameters[i].ElementCount == 0;
            if (hasHost)
            {
                moments = TensorStatisticsKernel.Compute(gradient.Span);
                if (histogramStep && !gradient.IsEmpty && trackers[i].IsLogged)
                {
                    trackers[i].FillHistograms(gradient.Span);
                }
            }
            else if (!hasDevice)
            {
                target.Set(i, ParameterStatistics.Unknown);
                continue;
            }

            ReadOnlyMemory<float> values = snapshot.GetParameterValues(i);
            if (!values.IsEmpty || (parameters[i].ElementCount == 0 && !hasDevice))
            {
                parameterSumOfSquares = TensorStatisticsKernel.Compute(values.Span).SumOfSquares;
            }
            else if (!hasDevice)
            {
                parameterSumOfSquares = double.NaN;
            }

            ParameterStatistics statistics = FromMoments(moments, parameterSumOfSquares, snapshot.GetUpdateSumOfSquares(i));
            target.Set(i, statistics);
            globalSumOfSquares += moments.SumOfSquares;
            nonFinite += moments.NonFiniteCount;
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
}
