using System.Text.Json;

namespace GradDiag.OrtBackend.Tests.Support;

/// <summary>A flat tensor from a reference file: its shape and row-major values.</summary>
internal sealed record ReferenceTensor(long[] Shape, double[] Data);

/// <summary>
/// The parts of <c>tests/fixtures/onnx/&lt;model&gt;.reference.json</c> the gradient tests use: the batch, the
/// labels or targets, the loss, and PyTorch's float64 loss and parameter gradients by initializer name.
/// </summary>
internal sealed record FixtureReference(
    string Model,
    string InputName,
    ReferenceTensor Input,
    bool InputIsInt64,
    string LossKind,
    ReferenceTensor Labels,
    double LossValue,
    IReadOnlyList<string> Trainable,
    IReadOnlyDictionary<string, ReferenceTensor> Gradients,
    IReadOnlyList<string> ZeroGradients,
    IReadOnlyDictionary<string, ReferenceTensor> BuffersAfterStep)
{
    /// <summary>Returns the directory that contains the ONNX fixtures, found by walking up from the test binaries.</summary>
    public static string Directory()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "tests", "fixtures", "onnx");
            if (System.IO.Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException($"tests/fixtures/onnx was not found above {AppContext.BaseDirectory}.");
    }

    public static FixtureReference Load(string model)
    {
        var path = Path.Combine(Directory(), model + ".reference.json");
        using var document = JsonDocument.Parse(File.ReadAllBytes(path));
        var root = document.RootElement;
        var input = root.GetProperty("input");
        var loss = root.GetProperty("loss");
        if (loss.GetProperty("reduction").GetString() != "mean")
        {
            throw new InvalidDataException($"{path}: loss.reduction is '{loss.GetProperty("reduction").GetString()}'; the tests support 'mean'.");
        }

        var trainable = root.GetProperty("parameters").EnumerateArray()
            .Where(p => p.GetProperty("trainable").GetBoolean())
            .Select(p => p.GetProperty("initializer").GetString()!)
            .ToList();
        var gradients = root.GetProperty("gradients").EnumerateObject().ToDictionary(p => p.Name, p => Tensor(p.Value));
        var zero = root.GetProperty("zero_gradients").GetProperty("initializers").EnumerateArray().Select(e => e.GetString()!).ToList();
        var buffers = root.TryGetProperty("buffers_after_step", out var step)
            ? step.GetProperty("values").EnumerateObject().ToDictionary(p => p.Name, p => Tensor(p.Value))
            : [];

        return new FixtureReference(
            model,
            input.GetProperty("name").GetString()!,
            Tensor(input),
            input.GetProperty("dtype").GetString() == "int64",
            loss.GetProperty("kind").GetString()!,
            Tensor(root.GetProperty("labels")),
            root.GetProperty("loss_value").GetDouble(),
            trainable,
            gradients,
            zero,
            buffers);
    }

    private static ReferenceTensor Tensor(JsonElement element) => new(
        element.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()).ToArray(),
        element.GetProperty("data").EnumerateArray().Select(e => e.GetDouble()).ToArray());
}
