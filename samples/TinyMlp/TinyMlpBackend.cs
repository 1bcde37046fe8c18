namespace GradDiag.Samples.TinyMlp;

/// <summary>
/// A training backend for a small fully connected network written in plain C#: forward pass, hand-written
/// backward pass and SGD. It implements the whole <see cref="ITrainingBackend"/> contract, as a plugin for
/// another framework would.
/// </summary>
/// <remarks>
/// The network maps 2 inputs through <see cref="TinyMlpOptions.Depth"/> hidden layers to 1 output and trains on
/// a mean squared error loss, 0.5 · mean((output − y)²). The batch contains two float inputs: <c>x</c> with shape
/// [batch, 2] and <c>y</c> with shape [batch, 1]. Parameters and gradients are float32; the arithmetic is float64.
/// </remarks>
public sealed class TinyMlpBackend : ITrainingBackend
{
    private const int InputCount = 2;

    private readonly Layer[] _layers;
    private readonly Func<double, double> _activation;
    private readonly Func<double, double, double> _activationDerivative;
    private readonly float[][] _values;
    private readonly float[][] _gradients;
    private double[][] _activations = [];
    private double[][] _preActivations = [];
    private double[][] _deltas = [];
    private bool _hasGradients;

    /// <summary>Creates the network with Glorot-uniform weights and zero biases.</summary>
    /// <exception cref="ArgumentException">An option is out of range or the activation is unknown.</exception>
    public TinyMlpBackend(TinyMlpOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Depth, 1, nameof(options.Depth));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Width, 1, nameof(options.Width));
        (_activation, _activationDerivative) = options.Activation switch
        {
            "tanh" => ((Func<double, double>)Math.Tanh, (Func<double, double, double>)((_, a) => 1 - (a * a))),
            "sigmoid" => (z => 1 / (1 + Math.Exp(-z)), (_, a) => a * (1 - a)),
            "relu" => (z => Math.Max(z, 0), (z, _) => z > 0 ? 1 : 0),
            _ => throw new ArgumentException($"Unknown activation '{options.Activation}'; use tanh, sigmoid or relu.", nameof(options)),
        };

        LearningRate = options.LearningRate;
        var random = new Random(options.Seed);
        int layerCount = options.Depth + 1;
        _layers = new Layer[layerCount];
        var descriptors = new List<ParameterDescriptor>();
        for (int l = 0; l < layerCount; l++)
        {
            int inputs = l == 0 ? InputCount : options.Width;
            int outputs = l == layerCount - 1 ? 1 : options.Width;
            _layers[l] = new Layer(inputs, outputs, WeightIndex: 2 * l, BiasIndex: (2 * l) + 1);
            descriptors.Add(new ParameterDescriptor($"fc{l + 1}.weight", [outputs, inputs], l));
            descriptors.Add(new ParameterDescriptor($"fc{l + 1}.bias", [outputs], l));
        }

        Parameters = new ParameterSet(descriptors);
        _values = Parameters.Select(p => new float[p.ElementCount]).ToArray();
        _gradients = Parameters.Select(p => new float[p.ElementCount]).ToArray();
        foreach (Layer layer in _layers)
        {
            double limit = Math.Sqrt(6.0 / (layer.Inputs + layer.Outputs));
            float[] weights = _values[layer.WeightIndex];
            for (int i = 0; i < weights.Length; i++)
            {
                weights[i] = (float)(((random.NextDouble() * 2) - 1) * limit);
            }
        }
    }

    /// <inheritdoc/>
    public ParameterSet Parameters { get; }

    /// <inheritdoc/>
    public string Device => "cpu";

    /// <inheritdoc/>
    public long Step { get; private set; }

    /// <inheritdoc/>
    public double LearningRate { get; }

    /// <summary>Gets the loss of the last <see cref="ComputeGradients"/> call.</summary>
    public double LastLoss { get; private set; } = double.NaN;

    /// <summary>Returns the live values of a parameter; changing them changes the network.</summary>
    public float[] GetValues(int index) => _values[index];

    /// <summary>Returns the gradient of a parameter from the last <see cref="ComputeGradients"/> call.</summary>
    public float[] GetGradient(int index) => _gradients[index];

    /// <inheritdoc/>
    public double ComputeGradients(TrainingBatch batch)
    {
        (float[] x, float[] y, int batchSize) = ReadBatch(batch);
        double loss = Forward(x, y, batchSize);
        Backward(x, y, batchSize);
        _hasGradients = true;
        LastLoss = loss;
        return loss;
    }

    /// <summary>
    /// Fills the snapshot. On histogram steps it hands over the gradient and parameter arrays. On other steps it
    /// hands over only statistics computed where the gradients live, as a GPU backend does on its device.
    /// </summary>
    public void CaptureGradients(GradientSnapshot snapshot, bool includeHostValues)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        snapshot.Reset(Step);
        snapshot.Loss = LastLoss;
        snapshot.LearningRate = LearningRate;
        for (int i = 0; i < _gradients.Length; i++)
        {
            if (includeHostValues)
            {
                snapshot.SetGradient(i, _gradients[i]);
                snapshot.SetParameterValues(i, _values[i]);
            }
            else
            {
                double parameterSumOfSquares = TensorStatisticsKernel.Compute(_values[i]).SumOfSquares;
                snapshot.SetDeviceStatistics(i, TensorStatisticsKernel.Compute(_gradients[i]), parameterSumOfSquares);
            }
        }
    }

    /// <inheritdoc/>
    public void ApplyUpdate(GradientSnapshot? snapshot)
    {
        if (!_hasGradients)
        {
            throw new InvalidOperationException("ApplyUpdate needs gradients; call ComputeGradients first.");
        }

        for (int i = 0; i < _values.Length; i++)
        {
            float[] values = _values[i];
            float[] gradient = _gradients[i];
            double updateSumOfSquares = 0;
            for (int j = 0; j < values.Length; j++)
            {
                double update = LearningRate * gradient[j];
                values[j] = (float)(values[j] - update);
                updateSumOfSquares += update * update;
            }

            snapshot?.SetUpdateSumOfSquares(i, updateSumOfSquares);
        }

        _hasGradients = false;
        Step++;
    }

    /// <inheritdoc/>
    public void SkipUpdate()
    {
        _hasGradients = false;
        Step++;
    }

    /// <inheritdoc/>
    public double Evaluate(TrainingBatch batch)
    {
        (float[] x, float[] y, int batchSize) = ReadBatch(batch);
        return Forward(x, y, batchSize);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
    }

    private static (float[] X, float[] Y, int BatchSize) ReadBatch(TrainingBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        float[] x = ReadInput(batch, "x", InputCount, out int batchSize);
        float[] y = ReadInput(batch, "y", 1, out int targetCount);
        if (targetCount != batchSize)
        {
            throw new ArgumentException($"Batch input 'y' has {targetCount} rows, but 'x' has {batchSize}; they must match.", nameof(batch));
        }

        return (x, y, batchSize);
    }

    private static float[] ReadInput(TrainingBatch batch, string name, int columns, out int rows)
    {
        if (!batch.TryGet(name, out BatchInput input))
        {
            throw new ArgumentException($"Batch input '{name}' is missing; the tiny MLP needs 'x' [batch, 2] and 'y' [batch, 1].", nameof(batch));
        }

        if (input.Data is not float[] data || input.Shape.Length != 2 || input.Shape[1] != columns)
        {
            throw new ArgumentException(
                $"Batch input '{name}' must be float32 with shape [batch, {columns}], but is {input.ElementType.Name} [{string.Join(", ", input.Shape)}].",
                nameof(batch));
        }

        rows = (int)input.Shape[0];
        return data;
    }

    private double Forward(float[] x, float[] y, int batchSize)
    {
        EnsureBuffers(batchSize);
        for (int b = 0; b < batchSize; b++)
        {
            for (int i = 0; i < InputCount; i++)
            {
                _activations[0][(b * InputCount) + i] = x[(b * InputCount) + i];
            }
        }

        for (int l = 0; l < _layers.Length; l++)
        {
            Layer layer = _layers[l];
            float[] weights = _values[layer.WeightIndex];
            float[] biases = _values[layer.BiasIndex];
            bool hidden = l < _layers.Length - 1;
            for (int b = 0; b < batchSize; b++)
            {
                for (int o = 0; o < layer.Outputs; o++)
                {
                    double z = biases[o];
                    for (int i = 0; i < layer.Inputs; i++)
                    {
                        z += weights[(o * layer.Inputs) + i] * _activations[l][(b * layer.Inputs) + i];
                    }

                    _preActivations[l][(b * layer.Outputs) + o] = z;
                    _activations[l + 1][(b * layer.Outputs) + o] = hidden ? _activation(z) : z;
                }
            }
        }

        double loss = 0;
        double[] output = _activations[^1];
        for (int b = 0; b < batchSize; b++)
        {
            double error = output[b] - y[b];
            loss += 0.5 * error * error;
        }

        return loss / batchSize;
    }

    private void Backward(float[] x, float[] y, int batchSize)
    {
        double[] output = _activations[^1];
        for (int b = 0; b < batchSize; b++)
        {
            _deltas[^1][b] = (output[b] - y[b]) / batchSize;
        }

        for (int l = _layers.Length - 1; l >= 0; l--)
        {
            Layer layer = _layers[l];
            float[] weights = _values[layer.WeightIndex];
            float[] weightGradient = _gradients[layer.WeightIndex];
            float[] biasGradient = _gradients[layer.BiasIndex];
            double[] delta = _deltas[l];
            double[] inputs = _activations[l];
            for (int o = 0; o < layer.Outputs; o++)
            {
                double biasSum = 0;
                for (int b = 0; b < batchSize; b++)
                {
                    biasSum += delta[(b * layer.Outputs) + o];
                }

                biasGradient[o] = (float)biasSum;
                for (int i = 0; i < layer.Inputs; i++)
                {
                    double sum = 0;
                    for (int b = 0; b < batchSize; b++)
                    {
                        sum += delta[(b * layer.Outputs) + o] * inputs[(b * layer.Inputs) + i];
                    }

                    weightGradient[(o * layer.Inputs) + i] = (float)sum;
                }
            }

            if (l == 0)
            {
                break;
            }

            // Propagate to the previous layer's pre-activations: W^T delta, times the activation's derivative.
            double[] previousDelta = _deltas[l - 1];
            for (int b = 0; b < batchSize; b++)
            {
                for (int i = 0; i < layer.Inputs; i++)
                {
                    double sum = 0;
                    for (int o = 0; o < layer.Outputs; o++)
                    {
                        sum += weights[(o * layer.Inputs) + i] * delta[(b * layer.Outputs) + o];
                    }

                    int index = (b * layer.Inputs) + i;
                    previousDelta[index] = sum * _activationDerivative(_preActivations[l - 1][index], inputs[index]);
                }
            }
        }
    }

    private void EnsureBuffers(int batchSize)
    {
        if (_activations.Length > 0 && _activations[0].Length == batchSize * InputCount)
        {
            return;
        }

        _activations = new double[_layers.Length + 1][];
        _activations[0] = new double[batchSize * InputCount];
        _preActivations = new double[_layers.Length][];
        _deltas = new double[_layers.Length][];
        for (int l = 0; l < _layers.Length; l++)
        {
            _activations[l + 1] = new double[batchSize * _layers[l].Outputs];
            _preActivations[l] = new double[batchSize * _layers[l].Outputs];
            _deltas[l] = new double[batchSize * _layers[l].Outputs];
        }
    }

    private readonly record struct Layer(int Inputs, int Outputs, int WeightIndex, int BiasIndex);
}
