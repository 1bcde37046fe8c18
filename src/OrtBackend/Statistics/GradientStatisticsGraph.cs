using GradDiag.OrtBackend.Graphs;
using GradDiag.OrtBackend.Models;
using GradDiag.OrtBackend.Standalone;

namespace GradDiag.OrtBackend.Statistics;

/// <summary>
/// Builds the standalone statistics model: inputs are every trainable parameter <c>{name}</c> and its
/// gradient <c>{name}_grad</c>, and the single output <see cref="OutputName"/> is a FLOAT tensor of shape
/// [parameter count, <see cref="GradientStatisticsLayout.ColumnCount"/>] with one row per parameter, in the
/// order given, laid out as <see cref="GradientStatisticsLayout"/> describes.
/// </summary>
/// <remarks>
/// <para>
/// The statistics are a separate model rather than extra outputs of the training model, so the training
/// model keeps the artifact layout that every consumer expects and the statistics can run every step or
/// every k-th step. With CUDA the gradient outputs of the training session stay bound to device memory and
/// are bound again as inputs here, so only the small [P, 6] result crosses to the host. The cost is one
/// more session run per step.
/// </para>
/// <para>
/// NaN and ±Infinity are replaced by 0 with <c>Where(Or(IsNaN(g), IsInf(g)), 0, g)</c> before any sum, so
/// one infinite element does not turn the sums into Inf or NaN. Sums accumulate in float32 (ONNX Runtime's
/// reductions use pairwise or blocked summation, with a relative error near 1e-6 for 1e6 elements), which
/// is ample for diagnostics. Counts are summed as INT64 and only then cast to FLOAT, so they are exact up to
/// 2^24 elements and rounded to float32 precision above. Non-FLOAT gradients are cast to FLOAT first.
/// </para>
/// </remarks>
internal static class GradientStatisticsGraph
{
    /// <summary>The name of the [P, 6] statistics output.</summary>
    public const string OutputName = "gradient_statistics";

    /// <summary>The suffix that names a parameter's gradient input.</summary>
    public const string GradientSuffix = "_grad";

    /// <summary>Builds the statistics model for the parameters, in the given (row) order.</summary>
    /// <exception cref="ArgumentException">The list is empty, names repeat, or a type is not floating-point.</exception>
    public static OnnxModel Build(IReadOnlyList<ParameterSpec> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        CheckParameters(parameters);

        var inputs = new List<(string, TensorInfo)>();
        foreach (var parameter in parameters)
        {
            var info = new TensorInfo(parameter.ElementType, parameter.Dims);
            inputs.Add((parameter.Name, info));
            inputs.Add((parameter.Name + GradientSuffix, info));
        }

        var graph = new StandaloneGraph("graddiag_gradient_statistics", inputs, "stats/");
        var rows = new List<string>();
        foreach (var parameter in parameters)
        {
            rows.Add(EmitRow(graph, parameter));
        }

        var emitter = graph.Emitter;
        var table = rows.Count == 1 ? rows[0] : emitter.Op("Concat", rows, Attributes.Int("axis", 0));
        graph.AddOutput(OutputName, table, new TensorInfo(DataTypes.Float, [parameters.Count, GradientStatisticsLayout.ColumnCount]));
        return graph.ToModel("Per-parameter gradient statistics over finite elements; columns: " + string.Join(", ", GradientStatisticsLayout.ColumnNames) + ".");
    }

    /// <summary>Emits the [1, 6] row of one parameter.</summary>
    private static string EmitRow(StandaloneGraph graph, ParameterSpec parameter)
    {
        var emitter = graph.Emitter;
        var gradient = graph.ToFloat(parameter.Name + GradientSuffix, parameter.ElementType);
        var (nonFinite, finiteGradient) = MaskNonFinite(emitter, gradient);

        var sumOfSquares = emitter.Reduce("ReduceSumSquare", finiteGradient, null, keepDims: false);
        var maxAbs = emitter.Reduce("ReduceMax", emitter.Op("Abs", [finiteGradient]), null, keepDims: false);
        var nonFiniteCount = Count(emitter, nonFinite);
        var zeroCount = Count(emitter, emitter.Op("Equal", [gradient, emitter.Scalar(0.0, DataTypes.Float)]));
        var sum = emitter.Reduce("ReduceSum", finiteGradient, null, keepDims: false);

        var value = graph.ToFloat(parameter.Name, parameter.ElementType);
        var (_, finiteValue) = MaskNonFinite(emitter, value);
        var parameterSumOfSquares = emitter.Reduce("ReduceSumSquare", finiteValue, null, keepDims: false);

        // The order here is the column order of GradientStatisticsLayout.
        var row = graph.StackScalars([sumOfSquares, maxAbs, nonFiniteCount, zeroCount, sum, parameterSumOfSquares]);
        return emitter.Unsqueeze(row, 0);
    }

    private static (string NonFinite, string Finite) MaskNonFinite(GraphEmitter emitter, string x)
    {
        var nonFinite = emitter.Op("Or", [emitter.Op("IsNaN", [x]), emitter.Op("IsInf", [x])]);
        var finite = emitter.Op("Where", [nonFinite, emitter.Scalar(0.0, DataTypes.Float), x]);
        return (nonFinite, finite);
    }

    private static string Count(GraphEmitter emitter, string mask)
    {
        var asInt = emitter.Op("Cast", [mask], Attributes.Int("to", DataTypes.Int64));
        var total = emitter.Reduce("ReduceSum", asInt, null, keepDims: false);
        return emitter.Op("Cast", [total], Attributes.Int("to", DataTypes.Float));
    }

    private static void CheckParameters(IReadOnlyList<ParameterSpec> parameters)
    {
        if (parameters.Count == 0)
        {
            throw new ArgumentException("The statistics graph needs at least one parameter.", nameof(parameters));
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var parameter in parameters)
        {
            if (!seen.Add(parameter.Name))
            {
                throw new ArgumentException($"The parameter '{parameter.Name}' is listed twice.", nameof(parameters));
            }

            if (!DataTypes.IsDifferentiable(parameter.ElementType))
            {
                throw new ArgumentException($"The parameter {parameter} is not of a floating-point type (FLOAT, DOUBLE, FLOAT16 or BFLOAT16).", nameof(parameters));
            }

            // ReduceMax over an empty tensor has no finite result, so empty parameters are rejected here.
            if (parameter.ElementCount == 0)
            {
                throw new ArgumentException($"The parameter {parameter} has no elements.", nameof(parameters));
            }
        }
    }
}
