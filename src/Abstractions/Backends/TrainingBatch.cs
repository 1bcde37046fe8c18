using System.Collections;

namespace GradDiag;

/// <summary>
/// The named input tensors of one batch. Arrays are referenced, not copied, so a loop may refill them in place.
/// </summary>
public sealed class TrainingBatch : IReadOnlyCollection<BatchInput>
{
    private readonly Dictionary<string, BatchInput> _inputs = new(StringComparer.Ordinal);

    /// <inheritdoc/>
    public int Count => _inputs.Count;

    /// <summary>Adds or replaces a float32 input.</summary>
    public TrainingBatch Add(string name, float[] data, params long[] shape) => AddCore(name, data, data?.Length ?? 0, shape);

    /// <summary>Adds or replaces a float64 input.</summary>
    public TrainingBatch Add(string name, double[] data, params long[] shape) => AddCore(name, data, data?.Length ?? 0, shape);

    /// <summary>Adds or replaces an int64 input, such as class indices.</summary>
    public TrainingBatch Add(string name, long[] data, params long[] shape) => AddCore(name, data, data?.Length ?? 0, shape);

    /// <summary>Adds or replaces an int32 input.</summary>
    public TrainingBatch Add(string name, int[] data, params long[] shape) => AddCore(name, data, data?.Length ?? 0, shape);

    /// <summary>Adds or replaces a boolean input.</summary>
    public TrainingBatch Add(string name, bool[] data, params long[] shape) => AddCore(name, data, data?.Length ?? 0, shape);

    /// <summary>Returns the named input.</summary>
    public bool TryGet(string name, out BatchInput input) => _inputs.TryGetValue(name, out input!);

    /// <inheritdoc/>
    public IEnumerator<BatchInput> GetEnumerator() => _inputs.Values.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private TrainingBatch AddCore(string name, Array data, int length, long[] shape)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(shape);
        long count = 1;
        foreach (long dimension in shape)
        {
            if (dimension < 0)
            {
                throw new ArgumentException($"Batch input '{name}' has a negative dimension in shape [{string.Join(", ", shape)}].", nameof(shape));
            }

            count *= dimension;
        }

        if (count != length)
        {
            throw new ArgumentException($"Batch input '{name}' has {length} elements, but shape [{string.Join(", ", shape)}] needs {count}.", nameof(data));
        }

        _inputs[name] = new BatchInput(name, data, [.. shape]);
        return this;
    }
}
