namespace GradDiag.Detectors;

/// <summary>A fixed-capacity ring buffer of (step, value) pairs, oldest first, that allocates only when built.</summary>
internal sealed class SeriesWindow
{
    private readonly double[] _values;
    private readonly long[] _steps;
    private int _start;

    public SeriesWindow(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _values = new double[capacity];
        _steps = new long[capacity];
    }

    public int Capacity => _values.Length;

    public int Count { get; private set; }

    public bool IsFull => Count == _values.Length;

    /// <summary>Gets the value at position <paramref name="index"/>, where 0 is the oldest.</summary>
    public double this[int index] => _values[(_start + index) % _values.Length];

    public long StepAt(int index) => _steps[(_start + index) % _steps.Length];

    public double Latest => this[Count - 1];

    public void Add(long step, double value)
    {
        if (Count < _values.Length)
        {
            int slot = (_start + Count) % _values.Length;
            _values[slot] = value;
            _steps[slot] = step;
            Count++;
            return;
        }

        _values[_start] = value;
        _steps[_start] = step;
        _start = (_start + 1) % _values.Length;
    }

    public void Clear()
    {
        _start = 0;
        Count = 0;
    }

    /// <summary>Copies the window into evidence points, converting each stored value with <paramref name="toValue"/>.</summary>
    public EvidencePoint[] ToEvidence(Func<double, double>? toValue = null)
    {
        var points = new EvidencePoint[Count];
        for (int i = 0; i < Count; i++)
        {
            double value = this[i];
            points[i] = new EvidencePoint(StepAt(i), toValue is null ? value : toValue(value));
        }

        return points;
    }

    /// <summary>Copies the values at positions [<paramref name="start"/>, <paramref name="start"/> + <paramref name="length"/>) into <paramref name="destination"/>.</summary>
    public void CopyValues(int start, int length, Span<double> destination)
    {
        for (int i = 0; i < length; i++)
        {
            destination[i] = this[start + i];
        }
    }
}
