using System.Collections.Immutable;

namespace GradDiag.Benchmarks.Detectors;

/// <summary>Builds the parameter sets and noisy per-step statistics the detector benchmarks replay.</summary>
internal static class DetectorTraffic
{
    /// <summary>The number of precomputed noise factors; steps cycle through them.</summary>
    public const int NoiseLength = 4096;

    public static ParameterSet Parameters(int layers) =>
        new(Enumerable.Range(0, layers).Select(i => new ParameterDescriptor($"layer{i}.weight", ImmutableArray.Create(256L, 256L), i)));

    /// <summary>Returns log-normal factors with median 1 (sigma 0.15), from a fixed seed.</summary>
    public static double[] Noise()
    {
        var random = new Random(7);
        var noise = new double[NoiseLength];
        for (int i = 0; i < noise.Length; i++)
        {
            double u1 = 1.0 - random.NextDouble();
            double u2 = random.NextDouble();
            noise[i] = Math.Exp(0.15 * Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2));
        }

        return noise;
    }

    /// <summary>Fills a live step: every statistic known, healthy values with noise.</summary>
    public static void FillLive(StepStatistics statistics, long step, double[] noise)
    {
        statistics.Reset(step);
        statistics.Loss = 2.0 / (1 + (step / 1000.0));
        statistics.LearningRate = 1e-3;
        for (int i = 0; i < statistics.Parameters.Count; i++)
        {
            double norm = (0.3 + (0.01 * i)) * noise[(int)((step * 7) + i) % NoiseLength];
            double weights = 10 + i;
            double update = weights * 1e-3 * noise[(int)((step * 13) + i + 1) % NoiseLength];
            statistics.Set(i, new ParameterStatistics(norm, norm / 256, 0, norm / 10, 0.3, 0, weights, norm / weights, update, update / weights));
        }
    }

    /// <summary>Fills an offline step: only the norms and the loss, as read back from an event file.</summary>
    public static void FillOffline(StepStatistics statistics, long step, double[] noise)
    {
        statistics.Reset(step);
        statistics.Loss = 2.0 / (1 + (step / 1000.0));
        for (int i = 0; i < statistics.Parameters.Count; i++)
        {
            double norm = (0.3 + (0.01 * i)) * noise[(int)((step * 7) + i) % NoiseLength];
            statistics.Set(i, ParameterStatistics.FromNorm(norm));
        }
    }
}
