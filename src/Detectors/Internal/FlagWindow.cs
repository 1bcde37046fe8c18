namespace GradDiag.Detectors;

/// <summary>
/// The last N yes/no outcomes of a condition and how many were yes, for persistence checks.
/// </summary>
/// <remarks>
/// <see cref="Fraction"/> divides by the capacity, not by the number of outcomes seen, so a window that is
/// not yet full can reach a persistence fraction only with enough yes outcomes in absolute terms.
/// </remarks>
internal sealed class FlagWindow
{
    private readonly bool[] _flags;
    private int _next;
    private int _count;

    public FlagWindow(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _flags = new bool[capacity];
    }

    public int Capacity => _flags.Length;

    public int TrueCount { get; private set; }

    public double Fraction => (double)TrueCount / _flags.Length;

    public void Add(bool flag)
    {
        if (_count == _flags.Length)
        {
            if (_flags[_next])
            {
                TrueCount--;
            }
        }
        else
        {
            _count++;
        }

        _flags[_next] = flag;
        if (flag)
        {
            TrueCount++;
        }

        _next = (_next + 1) % _flags.Length;
    }

    public void Clear()
    {
        Array.Clear(_flags);
        _next = 0;
        _count = 0;
        TrueCount = 0;
    }
}
