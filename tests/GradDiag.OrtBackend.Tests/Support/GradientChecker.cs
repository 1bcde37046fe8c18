using GradDiag.OrtBackend.Gradients;
using GradDiag.OrtBackend.Graphs;
using GradDiag.OrtBackend.Models;
using GradDiag.OrtBackend.Onnx;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace GradDiag.OrtBackend.Tests.Support;

/// <summary>A tensor fed to a graph input in a gradient check.</summary>
internal sealed record Feed(double[] Values, long[] Dims, int ElementType);

/// <summary>The gradients of one check: the builder's (analytic) and the central finite differences.</summary>
internal sealed record GradientCheckResult(
    double Loss,
    IReadOnlyDictionary<string, double[]> Analytic,
    IReadOnlyDictionary<string, double[]> Numeric,
    OnnxModel TrainingModel);

/// <summary>
/// Compares the gradient graph against central finite differences of the forward graph, both run on
/// ONNX Runtime's CPU provider with graph optimizations disabled.
/// </summary>
/// <remarks>
/// Step h = h_rel·max(1, |θ|), and the divisor is the difference of the two perturbed values after
/// rounding to the element type. Float64 (h_rel 1e-6): round-off ≈ 1e-16·|L|/h ≈ 1e-10·|L| and
/// truncation ≈ h²·|L'''| ≈ 1e-12, so rtol 1e-5 and atol 1e-6 leave a wide margin. Float32 (h_rel 5e-3,
/// near ε^(1/3)): round-off ≈ 6e-8·|L|/h ≈ 1.2e-5·|L| and truncation ≈ 2.5e-5·|L'''|, so rtol 2e-2 and
/// atol 2e-3·max|g|. Used only for operators that ONNX Runtime 1.32 lacks float64 CPU kernels for.
/// </remarks>
internal static class GradientChecker
{
    public static GradientCheckResult Check(
        GraphBuilder builder,
        string loss,
        IReadOnlyDictionary<string, Feed> feeds,
        string[] parameters,
        int maxCoordinates = 64) =>
        Check(builder.ToModel(), builder.ElementType, loss, feeds, parameters, maxCoordinates);

    /// <summary>Checks a model whose parameters are initializers of <paramref name="elementType"/>.</summary>
    public static GradientCheckResult Check(
        OnnxModel forward,
        int elementType,
        string loss,
        IReadOnlyDictionary<string, Feed> feeds,
        string[] parameters,
        int maxCoordinates = 64)
    {
        var training = GradientGraphBuilder.Build(forward, loss, new GradientBuilderOptions { TrainableParameters = parameters });
        var parameterValues = parameters.ToDictionary(p => p, p => ReadInitializer(forward.Proto.Graph, p));

        using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL, LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR };
        using var trainingSession = new InferenceSession(training.ToByteArray(), options);
        var outputNames = new[] { loss }.Concat(parameters.Select(p => p + "_grad")).ToArray();
        var outputs = Run(trainingSession, feeds, parameterValues, elementType, outputNames);
        var analytic = parameters.Select((p, i) => (p, outputs[i + 1])).ToDictionary(x => x.p, x => x.Item2);

        using var forwardSession = new InferenceSession(ParametersAsInputs(forward.Proto, parameters).ToByteArray(), options);
        var numeric = new Dictionary<string, double[]>();
        var random = new Random(17);
        foreach (var parameter in parameters)
        {
            var (values, dims) = parameterValues[parameter];
            var estimate = Enumerable.Repeat(double.NaN, values.Length).ToArray();
            var coordinates = Enumerable.Range(0, values.Length).ToArray();
            if (coordinates.Length > maxCoordinates)
            {
                random.Shuffle(coordinates);
                coordinates = coordinates[..maxCoordinates];
            }

            foreach (var i in coordinates)
            {
                var original = values[i];
                var h = StepFor(elementType) * Math.Max(1.0, Math.Abs(original));
                var plus = Round(original + h, elementType);
                var minus = Round(original - h, elementType);

                values[i] = plus;
                var lossPlus = Run(forwardSession, feeds, parameterValues, elementType, [loss])[0][0];
                values[i] = minus;
                var lossMinus = Run(forwardSession, feeds, parameterValues, elementType, [loss])[0][0];
                values[i] = original;
                estimate[i] = (lossPlus - lossMinus) / (plus - minus);
            }

            numeric[parameter] = estimate;
            _ = dims;
        }

        return new GradientCheckResult(outputs[0][0], analytic, numeric, training);
    }

    /// <summary>Asserts that every checked coordinate matches within the element type's tolerance.</summary>
    public static void AssertClose(GradientCheckResult result, int elementType)
    {
        var (rtol, atolScale) = elementType == DataTypes.Double ? (1e-5, 0.0) : (2e-2, 2e-3);
        foreach (var (parameter, numeric) in result.Numeric)
        {
            var analytic = result.Analytic[parameter];
            analytic.Length.Should().Be(numeric.Length, $"gradient of '{parameter}' must have the parameter's size");
            var scale = numeric.Where(v => !double.IsNaN(v)).Select(Math.Abs).DefaultIfEmpty(0).Max();
            var atol = elementType == DataTypes.Double ? 1e-6 : atolScale * Math.Max(1.0, scale);
            for (var i = 0; i < numeric.Length; i++)
            {
                if (double.IsNaN(numeric[i]))
                {
                    continue;
                }

                Math.Abs(analytic[i] - numeric[i]).Should().BeLessThanOrEqualTo(
                    atol + rtol * Math.Abs(numeric[i]),
                    $"d loss / d {parameter}[{i}]: analytic {analytic[i]:R}, finite difference {numeric[i]:R}");
            }
        }
    }

    public static double StepFor(int elementType) => elementType == DataTypes.Double ? 1e-6 : 5e-3;

    private static double Round(double value, int elementType) => elementType == DataTypes.Float ? (float)value : value;

    private static (double[] Values, long[] Dims) ReadInitializer(GraphProto graph, string name)
    {
        var tensor = graph.Initializer.Single(t => t.Name == name);
        return (Tensors.ToDoubles(tensor)!, tensor.Dims.ToArray());
    }

    private static ModelProto ParametersAsInputs(ModelProto source, string[] parameters)
    {
        var model = source.Clone();
        foreach (var name in parameters)
        {
            var tensor = model.Graph.Initializer.Single(t => t.Name == name);
            model.Graph.Initializer.Remove(tensor);
            var shape = new TensorShapeProto();
            shape.Dim.AddRange(tensor.Dims.Select(d => new TensorShapeProto.Types.Dimension { DimValue = d }));
            model.Graph.Input.Add(new ValueInfoProto
            {
                Name = name,
                Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = tensor.DataType, Shape = shape } },
            });
        }

        return model;
    }

    private static double[][] Run(
        InferenceSession session,
        IReadOnlyDictionary<string, Feed> feeds,
        Dictionary<string, (double[] Values, long[] Dims)> parameters,
        int elementType,
        string[] outputNames)
    {
        var names = new List<string>();
        var values = new List<OrtValue>();
        try
        {
            foreach (var (name, feed) in feeds)
            {
                names.Add(name);
                values.Add(CreateValue(feed.Values, feed.Dims, feed.ElementType));
            }

            foreach (var (name, (data, dims)) in parameters)
            {
                names.Add(name);
                values.Add(CreateValue(data, dims, elementType));
            }

            using var runOptions = new RunOptions();
            using var results = session.Run(runOptions, names, values, outputNames);
            return results.Select(ReadValue).ToArray();
        }
        finally
        {
            foreach (var value in values)
            {
                value.Dispose();
            }
        }
    }

    private static OrtValue CreateValue(double[] data, long[] dims, int elementType) => elementType switch
    {
        DataTypes.Double => OrtValue.CreateTensorValueFromMemory(data.ToArray(), dims),
        DataTypes.Float => OrtValue.CreateTensorValueFromMemory(data.Select(v => (float)v).ToArray(), dims),
        DataTypes.Int64 => OrtValue.CreateTensorValueFromMemory(data.Select(v => (long)v).ToArray(), dims),
        DataTypes.Bool => OrtValue.CreateTensorValueFromMemory(data.Select(v => v != 0).ToArray(), dims),
        _ => throw new ArgumentException($"Unsupported feed type {elementType}.", nameof(elementType)),
    };

    private static double[] ReadValue(OrtValue value) => value.GetTensorTypeAndShape().ElementDataType switch
    {
        TensorElementType.Double => value.GetTensorDataAsSpan<double>().ToArray(),
        TensorElementType.Float => value.GetTensorDataAsSpan<float>().ToArray().Select(v => (double)v).ToArray(),
        var other => throw new InvalidOperationException($"Unexpected output type {other}."),
    };
}
