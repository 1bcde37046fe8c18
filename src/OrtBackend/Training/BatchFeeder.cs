using System.Globalization;
using Microsoft.ML.OnnxRuntime;

namespace GradDiag.OrtBackend.Training;

/// <summary>
/// Checks batches against one session's data inputs and binds them, reusing the OrtValue of an input while
/// the caller passes the same array with the same shape. Micro-batches are copied into cached slice arrays.
/// </summary>
internal sealed class BatchFeeder : IDisposable
{
    private readonly string _modelName;
    private readonly KeyValuePair<string, NodeMetadata>[] _inputs;
    private readonly IReadOnlySet<string> _classIndexInputs;
    private readonly long _classCount;
    private readonly IReadOnlySet<long> _ignoredLabels;
    private readonly Dictionary<string, CachedValue> _cache = new(StringComparer.Ordinal);

    /// <param name="session">The session whose inputs are fed.</param>
    /// <param name="modelName">The model's file name, for messages.</param>
    /// <param name="parameterNames">Inputs that the backend binds itself.</param>
    /// <param name="classIndexInputs">Inputs holding class indices that must lie in [0, <paramref name="classCount"/>).</param>
    /// <param name="classCount">The number of classes, or 0 when unknown (no range check).</param>
    /// <param name="ignoredLabels">Label values the loss ignores, accepted outside the class range.</param>
    public BatchFeeder(InferenceSession session, string modelName, IReadOnlySet<string> parameterNames, IReadOnlySet<string> classIndexInputs, long classCount, IReadOnlySet<long> ignoredLabels)
    {
        _ignoredLabels = ignoredLabels;
        _modelName = modelName;
        _inputs = session.InputMetadata.Where(pair => !parameterNames.Contains(pair.Key)).ToArray();
        _classIndexInputs = classIndexInputs;
        _classCount = classCount;
    }

    /// <summary>Throws when the batch lacks an input, has an unknown one, or a type, shape or class index is wrong.</summary>
    /// <exception cref="ArgumentException">The message names the input, the expected and the actual value.</exception>
    public void Validate(TrainingBatch batch, int parts)
    {
        foreach (var input in batch)
        {
            if (!_inputs.Any(pair => pair.Key == input.Name))
            {
                throw new ArgumentException(
                    $"The batch has an input '{input.Name}' that {_modelName} does not have. Expected inputs: {Describe()}.",
                    nameof(batch));
            }
        }

        foreach (var (name, metadata) in _inputs)
        {
            if (!batch.TryGet(name, out var input))
            {
                throw new ArgumentException($"The batch lacks the input '{name}' of {_modelName}. Expected inputs: {Describe()}.", nameof(batch));
            }

            if (input.ElementType != metadata.ElementType)
            {
                throw new ArgumentException(
                    $"Batch input '{name}' has element type {input.ElementType.Name}; {_modelName} expects {metadata.ElementType.Name}.",
                    nameof(batch));
            }

            CheckShape(name, metadata.Dimensions, input.Shape.AsSpan(), nameof(batch));
            if (parts > 1 && (input.Shape.Length == 0 || input.Shape[0] % parts != 0))
            {
                throw new ArgumentException(
                    $"Batch input '{name}' has shape [{string.Join(", ", input.Shape)}], whose axis 0 cannot be split into {parts} equal micro-batches (GradientAccumulationSteps).",
                    nameof(batch));
            }

            if (_classCount > 0 && _classIndexInputs.Contains(name) && input.Data is long[] labels)
            {
                CheckLabels(name, labels, nameof(batch));
            }
        }
    }

    /// <summary>Binds every data input of the batch, or micro-batch <paramref name="part"/> of <paramref name="parts"/>.</summary>
    public void Bind(OrtIoBinding binding, TrainingBatch batch, int part, int parts)
    {
        foreach (var (name, _) in _inputs)
        {
            batch.TryGet(name, out var input);
            var value = parts == 1 ? Whole(name, input) : Slice(name, input, part, parts);
            binding.BindInput(name, value);
        }
    }

    public void Dispose()
    {
        foreach (var cached in _cache.Values)
        {
            cached.Value.Dispose();
        }

        _cache.Clear();
    }

    private OrtValue Whole(string name, BatchInput input)
    {
        var shape = input.Shape.AsSpan();
        if (_cache.TryGetValue(name, out var cached) && ReferenceEquals(cached.Source, input.Data) && shape.SequenceEqual(cached.Shape))
        {
            return cached.Value;
        }

        cached?.Value.Dispose();
        var created = new CachedValue(input.Data, shape.ToArray(), Create(input.Data, shape.ToArray()));
        _cache[name] = created;
        return created.Value;
    }

    private OrtValue Slice(string name, BatchInput input, int part, int parts)
    {
        var shape = input.Shape.ToArray();
        shape[0] /= parts;
        var length = input.Data.Length / parts;
        var key = name + "#" + part.ToString(CultureInfo.InvariantCulture);
        if (!_cache.TryGetValue(key, out var cached) || cached.Source.Length != length || !shape.AsSpan().SequenceEqual(cached.Shape) || cached.Source.GetType() != input.Data.GetType())
        {
            cached?.Value.Dispose();
            var array = Array.CreateInstance(input.ElementType, length);
            cached = new CachedValue(array, shape, Create(array, shape));
            _cache[key] = cached;
        }

        // The OrtValue wraps the pinned slice array, so refilling the array is enough.
        Array.Copy(input.Data, part * length, cached.Source, 0, length);
        return cached.Value;
    }

    private void CheckShape(string name, int[] expected, ReadOnlySpan<long> actual, string batch)
    {
        var matches = expected.Length == actual.Length;
        for (var i = 0; matches && i < expected.Length; i++)
        {
            matches = expected[i] < 0 || expected[i] == actual[i];
        }

        if (!matches)
        {
            var expectedText = string.Join(", ", expected.Select(d => d < 0 ? "?" : d.ToString(CultureInfo.InvariantCulture)));
            throw new ArgumentException(
                $"Batch input '{name}' has shape [{string.Join(", ", actual.ToArray())}]; {_modelName} expects [{expectedText}] (? is any size).",
                batch);
        }
    }

    private void CheckLabels(string name, long[] labels, string batch)
    {
        for (var i = 0; i < labels.Length; i++)
        {
            if ((labels[i] < 0 || labels[i] >= _classCount) && !_ignoredLabels.Contains(labels[i]))
            {
                throw new ArgumentException(
                    $"Batch input '{name}' has class index {labels[i]} at element {i}; the model has {_classCount} classes, so indices must be in [0, {_classCount - 1}]{IgnoredText()}.",
                    batch);
            }
        }
    }

    private string IgnoredText() => _ignoredLabels.Count == 0 ? string.Empty : $" or an ignored label ({string.Join(", ", _ignoredLabels)})";

    private string Describe() => string.Join(", ", _inputs.Select(pair =>
        $"{pair.Key} {pair.Value.ElementType.Name}[{string.Join(", ", pair.Value.Dimensions.Select(d => d < 0 ? "?" : d.ToString(CultureInfo.InvariantCulture)))}]"));

    private static OrtValue Create(Array data, long[] shape) => data switch
    {
        float[] values => OrtValue.CreateTensorValueFromMemory(values, shape),
        double[] values => OrtValue.CreateTensorValueFromMemory(values, shape),
        long[] values => OrtValue.CreateTensorValueFromMemory(values, shape),
        int[] values => OrtValue.CreateTensorValueFromMemory(values, shape),
        bool[] values => OrtValue.CreateTensorValueFromMemory(values, shape),
        _ => throw new ArgumentException($"Batch arrays of {data.GetType().Name} are not supported; use float[], double[], long[], int[] or bool[]."),
    };

    private sealed record CachedValue(Array Source, long[] Shape, OrtValue Value);
}
