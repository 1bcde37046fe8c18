namespace GradDiag.Core.Tests.TestDoubles;

/// <summary>
/// A training backend with scripted gradients: every gradient element equals the step's scripted value, and
/// the update is SGD with the given learning rate. It supplies device statistics on ordinary steps and host
/// values when asked.
/// </summary>
public sealed class FakeBackend : ITrainingBackend
{
    private readonly float[][] _weights;
    private readonly float[][] _gradients;
    private float _nextValue = 1;

    public FakeBackend(params int[] sizes)
    {
        Parameters = new ParameterSet(sizes.Select((size, i) => new ParameterDescriptor($"layer{i}.weight", [size], i)));
        _weights = sizes.Select(size => Enumerable.Repeat(1f, size).ToArray()).ToArray();
        _gradients = sizes.Select(size => new float[size]).ToArray();
    }

    public ParameterSet Parameters { get; }

    public string Device => "fake";

    public long Step { get; private set; }

    public double LearningRate { get; set; } = 0.1;

    public Func<long, float> GradientValue { get; set; } = _ => 1f;

    public int Updates { get; private set; }

    public int Skips { get; private set; }

    public int HostCaptures { get; private set; }

    public bool Disposed { get; private set; }

    public float Weight(int parameter, int index) => _weights[parameter][index];

    public double ComputeGradients(TrainingBatch batch)
    {
        _nextValue = GradientValue(Step);
        foreach (float[] gradient in _gradients)
        {
            Array.Fill(gradient, _nextValue);
        }

        return 1.0 / (Step + 1);
    }

    public void CaptureGradients(GradientSnapshot snapshot, bool includeHostValues)
    {
        snapshot.Reset(Step);
        for (int i = 0; i < _gradients.Length; i++)
        {
            if (includeHostValues)
            {
                snapshot.SetGradient(i, _gradients[i]);
                snapshot.SetParameterValues(i, _weights[i]);
            }
            else
            {
                double weightSumOfSquares = _weights[i].Sum(w => (double)w * w);
                snapshot.SetDeviceStatistics(i, TensorStatisticsKernel.Compute(_gradients[i]), weightSumOfSquares);
            }
        }

        if (includeHostValues)
        {
            HostCaptures++;
        }
    }

    public void ApplyUpdate(GradientSnapshot? snapshot)
    {
        for (int i = 0; i < _weights.Length; i++)
        {
            double updateSumOfSquares = 0;
            for (int j = 0; j < _weights[i].Length; j++)
            {
                float update = (float)(LearningRate * _gradients[i][j]);
                _weights[i][j] -= update;
                updateSumOfSquares += (double)update * update;
            }

            snapshot?.SetUpdateSumOfSquares(i, updateSumOfSquares);
        }

        Updates++;
        Step++;
    }

    public void SkipUpdate()
    {
        Skips++;
        Step++;
    }

    public double Evaluate(TrainingBatch batch) => 0;

    public void Dispose() => Disposed = true;
}
