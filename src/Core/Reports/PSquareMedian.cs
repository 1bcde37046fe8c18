namespace GradDiag;

/// <summary>
/// Estimates the median of a stream in constant memory with the P-square algorithm (Jain and Chlamtac, 1985):
/// five markers whose heights are adjusted with a piecewise-parabolic formula. Exact for up to five values.
/// </summary>
internal sealed class PSquareMedian
{
    private static readonly double[] s_increments = [0, 0.25, 0.5, 0.75, 1];

    private readonly double[] _heights = new double[5];
    private readonly double[] _positions = new double[5];
    private readonly double[] _desired = new double[5];

    public long Count { get; private set; }

    public void Add(double value)
    {
        if (Count < 5)
        {
            _heights[Count] = value;
            Count++;
            if (Count == 5)
            {
                Array.Sort(_heights);
                for (int i = 0; i < 5; i++)
                {
                    _positions[i] = i + 1;
                    _desired[i] = 1 + (4 * s_increments[i]);
                }
            }

            return;
        }

        Count++;
        int cell = FindCell(value);
        for (int i = cell + 1; i < 5; i++)
        {
            _positions[i]++;
        }

        for (int i = 0; i < 5; i++)
        {
            _desired[i] += s_increments[i];
        }

        for (int i = 1; i <= 3; i++)
        {
            AdjustMarker(i);
        }
    }

    /// <summary>Returns the estimated median, or NaN when no value was added.</summary>
    public double Estimate()
    {
        if (Count == 0)
        {
            return double.NaN;
        }

        if (Count >= 5)
        {
            return _heights[2];
        }

        double[] sorted = _heights[..(int)Count];
        Array.Sort(sorted);
        int middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    private int FindCell(double value)
    {
        if (value < _heights[0])
        {
            _heights[0] = value;
            return 0;
        }

        if (value >= _heights[4])
        {
            _heights[4] = value;
            return 3;
        }

        int cell = 0;
        while (value >= _heights[cell + 1])
        {
            cell++;
        }

        return cell;
    }

    private void AdjustMarker(int i)
    {
        double offset = _desired[i] - _positions[i];
        bool moveRight = offset >= 1 && _positions[i + 1] - _positions[i] > 1;
        bool moveLeft = offset <= -1 && _positions[i - 1] - _positions[i] < -1;
        if (!moveRight && !moveLeft)
        {
            return;
        }

        int direction = moveRight ? 1 : -1;
        double candidate = Parabolic(i, direction);
        _heights[i] = _heights[i - 1] < candidate && candidate < _heights[i + 1] ? candidate : Linear(i, direction);
        _positions[i] += direction;
    }

    private double Parabolic(int i, int d)
    {
        double left = _positions[i] - _positions[i - 1];
        double right = _positions[i + 1] - _positions[i];
        double span = _positions[i + 1] - _positions[i - 1];
        return _heights[i] + (d / span * (
            ((left + d) * (_heights[i + 1] - _heights[i]) / right) +
            ((right - d) * (_heights[i] - _heights[i - 1]) / left)));
    }

    private double Linear(int i, int d) =>
        _heights[i] + (d * (_heights[i + d] - _heights[i]) / (_positions[i + d] - _positions[i]));
}
