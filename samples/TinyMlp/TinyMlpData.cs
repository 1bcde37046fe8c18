namespace GradDiag.Samples.TinyMlp;

/// <summary>
/// A built-in regression problem: points in [-1, 1]² with target sin(πx₁)·x₂, served as batches that reuse
/// their arrays from step to step.
/// </summary>
public sealed class TinyMlpData
{
    private readonly float[] _x;
    private readonly float[] _y;
    private readonly float[] _batchX;
    private readonly float[] _batchY;
    private readonly int _batchSize;
    private int _next;

    /// <summary>Creates <paramref name="exampleCount"/> examples from <paramref name="seed"/>.</summary>
    public TinyMlpData(int exampleCount, int batchSize, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(exampleCount, batchSize);
        var random = new Random(seed + 7919);
        _x = new float[exampleCount * 2];
        _y = new float[exampleCount];
        for (int n = 0; n < exampleCount; n++)
        {
            double x1 = (random.NextDouble() * 2) - 1;
            double x2 = (random.NextDouble() * 2) - 1;
            _x[2 * n] = (float)x1;
            _x[(2 * n) + 1] = (float)x2;
            _y[n] = (float)(Math.Sin(Math.PI * x1) * x2);
        }

        _batchSize = batchSize;
        _batchX = new float[batchSize * 2];
        _batchY = new float[batchSize];
        Batch = new TrainingBatch().Add("x", _batchX, batchSize, 2).Add("y", _batchY, batchSize, 1);
    }

    /// <summary>Gets the batch that <see cref="NextBatch"/> refills.</summary>
    public TrainingBatch Batch { get; }

    /// <summary>Refills <see cref="Batch"/> with the next examples, wrapping around at the end, and returns it.</summary>
    public TrainingBatch NextBatch()
    {
        int exampleCount = _y.Length;
        for (int b = 0; b < _batchSize; b++)
        {
            int n = (_next + b) % exampleCount;
            _batchX[2 * b] = _x[2 * n];
            _batchX[(2 * b) + 1] = _x[(2 * n) + 1];
            _batchY[b] = _y[n];
        }

        _next = (_next + _batchSize) % exampleCount;
        return Batch;
    }
}
