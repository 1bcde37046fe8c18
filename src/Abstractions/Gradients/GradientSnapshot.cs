namespace GradDiag;

/// <summary>
/// The gradients of one step as a source delivers them: for each parameter host-visible values,
/// statistics the backend already computed on its device, or both.
/// </summary>
/// <remarks>
/// Gradients are captured after the backward pass, after accumulation over micro-batches and loss-scale
/// unscaling, and before clipping, the optimizer step and zeroing. A snapshot is reused from step to step:
/// <see cref="Reset"/> clears it without allocating, and the memory handed to the setters must stay valid
/// until the monitor has observed the snapshot.
/// </remarks>
public sealed class GradientSnapshot
{
    private readonly Entry[] _entries;

    /// <summary>Creates an empty snapshot for the given parameters.</summary>
    public GradientSnapshot(ParameterSet parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        Parameters = parameters;
        _entries = new Entry[parameters.Count];
        Reset(0);
    }

    /// <summary>Gets the parameters, in depth order.</summary>
    public ParameterSet Parameters { get; }

    /// <summary>Gets or sets the training step; never negative.</summary>
    public long Step
    {
        get;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            field = value;
        }
    }

    /// <summary>Gets or sets the training loss, or NaN when unknown.</summary>
    public double Loss { get; set; }

    /// <summary>Gets or sets the learning rate of this step, or NaN when unknown.</summary>
    public double LearningRate { get; set; }

    /// <summary>Gets or sets the global gradient norm before clipping as the backend computed it, or NaN when the monitor should compute it.</summary>
    public double GlobalNorm { get; set; }

    /// <summary>Gets or sets a value indicating whether the optimizer update of this step was skipped.</summary>
    public bool UpdateSkipped { get; set; }

    /// <summary>Clears every value and sets the step, without allocating.</summary>
    public void Reset(long step)
    {
        Step = step;
        Loss = double.NaN;
        LearningRate = double.NaN;
        GlobalNorm = double.NaN;
        UpdateSkipped = false;
        for (int i = 0; i < _entries.Length; i++)
        {
            _entries[i] = Entry.Empty;
        }
    }

    /// <summary>Sets the host-visible gradient values of a parameter.</summary>
    /// <exception cref="ArgumentException">The length differs from the parameter's element count.</exception>
    public void SetGradient(int index, ReadOnlyMemory<float> values)
    {
        CheckLength(index, values.Length, "gradient");
        _entries[index].Gradient = values;
    }

    /// <summary>Sets the host-visible gradient values of the named parameter.</summary>
    public void SetGradient(string name, ReadOnlyMemory<float> values) => SetGradient(Parameters.GetIndex(name), values);

    /// <summary>Sets the host-visible values of the parameter itself, used for the parameter norm.</summary>
    /// <exception cref="ArgumentException">The length differs from the parameter's element count.</exception>
    public void SetParameterValues(int index, ReadOnlyMemory<float> values)
    {
        CheckLength(index, values.Length, "parameter value");
        _entries[index].ParameterValues = values;
    }

    /// <summary>Sets statistics that the backend computed without copying the gradient to the host.</summary>
    /// <param name="index">The parameter's index.</param>
    /// <param name="gradient">The gradient's moments.</param>
    /// <param name="parameterSumOfSquares">The parameter's own sum of squares, or NaN when unknown.</param>
    /// <exception cref="ArgumentException">The element count differs from the parameter's.</exception>
    public void SetDeviceStatistics(int index, in TensorStatistics gradient, double parameterSumOfSquares)
    {
        CheckLength(index, gradient.Count, "device statistics");
        _entries[index].DeviceStatistics = gradient;
        _entries[index].HasDeviceStatistics = true;
        _entries[index].ParameterSumOfSquares = parameterSumOfSquares;
    }

    /// <summary>Sets the sum of squares of the update that the optimizer applied to a parameter.</summary>
    public void SetUpdateSumOfSquares(int index, double updateSumOfSquares)
    {
        _ = Parameters[index];
        _entries[index].UpdateSumOfSquares = updateSumOfSquares;
    }

    /// <summary>Returns the host-visible gradient of a parameter; empty when the source did not copy it.</summary>
    public ReadOnlyMemory<float> GetGradient(int index) => _entries[index].Gradient;

    /// <summary>Returns the host-visible values of a parameter; empty when the source did not supply them.</summary>
    public ReadOnlyMemory<float> GetParameterValues(int index) => _entries[index].ParameterValues;

    /// <summary>Returns the device-computed statistics of a parameter, when the source supplied them.</summary>
    public bool TryGetDeviceStatistics(int index, out TensorStatistics gradient, out double parameterSumOfSquares)
    {
        ref readonly Entry entry = ref _entries[index];
        gradient = entry.DeviceStatistics;
        parameterSumOfSquares = entry.ParameterSumOfSquares;
        return entry.HasDeviceStatistics;
    }

    /// <summary>Returns the update's sum of squares of a parameter, or NaN when unknown.</summary>
    public double GetUpdateSumOfSquares(int index) => _entries[index].UpdateSumOfSquares;

    /// <summary>Returns true when the parameter has a host gradient or device statistics at this step.</summary>
    public bool HasGradient(int index) => _entries[index].HasDeviceStatistics || !_entries[index].Gradient.IsEmpty || Parameters[index].ElementCount == 0;

    private void CheckLength(int index, long length, string what)
    {
        ParameterDescriptor parameter = Parameters[index];
        if (length != parameter.ElementCount)
        {
            throw new ArgumentException(
                $"The {what} of parameter '{parameter.Name}' has {length} elements, but its shape [{string.Join(", ", parameter.Shape)}] has {parameter.ElementCount}.");
        }
    }

    private struct Entry
    {
        public static readonly Entry Empty = new()
        {
            ParameterSumOfSquares = double.NaN,
            UpdateSumOfSquares = double.NaN,
        };

        public ReadOnlyMemory<float> Gradient;
        public ReadOnlyMemory<float> ParameterValues;
        public TensorStatistics DeviceStatistics;
        public bool HasDeviceStatistics;
        public double ParameterSumOfSquares;
        public double UpdateSumOfSquares;
    }
}
