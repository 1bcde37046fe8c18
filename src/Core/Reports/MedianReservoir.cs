namespace GradDiag;

/// <summary>
/// Estimates the median of a stream in bounded memory by keeping a uniform random sample of at most
/// <see cref="Capacity"/> values (reservoir sampling). The median is exact while the stream is no longer than
/// the capacity. Beyond it, the sample's median is an estimate whose rank error shrinks as the capacity grows.
/// </summary>
/// <remarks>Adding costs one random number and no allocation; the buffer is created on the first add.</remarks>
internal sealed class MedianReservoir(int seed)
{
    /// <summary>The number of values kept.</summary>
    public const int Capacity = 256;

    private double[]? _sample;

    // xorshift64 state; any non-zero start works, and a per-parameter seed keeps runs reproducible.
    private ulong _state = ((ulong)(uint)seed * 0x9E3779B97F4A7C15UL) | 1;

    public long Count { get; private set; }

    public void Add(double value)
    {
        _sample ??= new double[Capacity];
        Count++;
        if (Count <= Capacity)
        {
            _sample[Count - 1] = value;
            return;
        }

        // Keep the new value with probability Capacity / Count, in a uniformly chosen slot.
        ulong slot = Math.BigMul(NextRandom(), (ulong)Count, out _);
        if (slot < Capacity)
        {
            _sample[slot] = value;
        }
    }

    /// <summary>Returns the median of the kept values, or NaN when none was added.</summary>
    public double Estimate()
    {
        if (_sample is null)
        {
            return double.NaN;
        }

        double[] sorted = _sample[..(int)Math.Min(Count, Capacity)];
        Array.Sort(sorted);
        int middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    private ulong NextRandom()
    {
        ulong x = _state;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        _state = x;
        return x;
    }
}
