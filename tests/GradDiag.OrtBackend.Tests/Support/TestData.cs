namespace GradDiag.OrtBackend.Tests.Support;

/// <summary>Seeded random tensors for gradient checks.</summary>
internal static class TestData
{
    public static double[] Uniform(int count, int seed, double low = -1, double high = 1)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => low + (random.NextDouble() * (high - low))).ToArray();
    }

    /// <summary>Returns values with |v| in [gap, 1], so a kink at 0 stays farther away than any finite-difference step.</summary>
    public static double[] AwayFromZero(int count, int seed, double gap = 0.1)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count)
            .Select(_ => (random.Next(2) == 0 ? -1 : 1) * (gap + (random.NextDouble() * (1 - gap))))
            .ToArray();
    }

    public static int Count(long[] dims) => (int)dims.Aggregate(1L, (p, d) => p * d);
}
