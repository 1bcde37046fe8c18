using GradDiag.OrtBackend.Graphs;
using GradDiag.OrtBackend.Models;
using GradDiag.OrtBackend.Standalone;

namespace GradDiag.OrtBackend.Optimizers;

/// <summary>
/// Builds the standalone optimizer model in standard operators (IR 10, ai.onnx opset 21): one update of
/// every parameter by SGD, Adam or AdamW with PyTorch's formulas, and optional global-norm clipping.
/// </summary>
/// <remarks>
/// <para>
/// Inputs, in order: <see cref="LearningRateInput"/> (FLOAT scalar), <see cref="StepInput"/> (INT64 scalar,
/// the 1-based number of the step being taken, which Adam's bias correction uses), then per parameter
/// <c>{name}</c>, <c>{name}_grad</c> and its state tensors (<see cref="StateSuffixes"/>).
/// </para>
/// <para>
/// Outputs, in order: per parameter <c>{name}.updated</c> and <c>{state}.updated</c> for each state input,
/// then <see cref="GlobalNormOutput"/> (FLOAT scalar, the L2 norm of all gradients before clipping; NaN or
/// Inf when any gradient element is not finite) and <see cref="UpdateSumOfSquaresOutput"/> (FLOAT [P],
/// Σ(new − old)² per parameter). ONNX Runtime does not write an output into a buffer that is also bound as an
/// input, so the caller alternates two buffer sets.
/// </para>
/// <para>
/// State tensors start at zero. With dampening 0 (the only supported value) PyTorch's first SGD momentum
/// step, which sets the buffer to the gradient, equals μ·0 + g, so no step-1 branch is needed.
/// Only FLOAT parameters are accepted.
/// </para>
/// </remarks>
internal static class OptimizerGraph
{
    /// <summary>The learning-rate input (FLOAT scalar).</summary>
    public const string LearningRateInput = "learning_rate";

    /// <summary>The step input (INT64 scalar, 1 for the first update).</summary>
    public const string StepInput = "step";

    /// <summary>The pre-clip global gradient norm output (FLOAT scalar).</summary>
    public const string GlobalNormOutput = "global_gradient_norm";

    /// <summary>The per-parameter update sum of squares output (FLOAT [P]).</summary>
    public const string UpdateSumOfSquaresOutput = "update_sum_of_squares";

    /// <summary>The suffix of a parameter's gradient input.</summary>
    public const string GradientSuffix = "_grad";

    /// <summary>The suffix of every output that carries a new parameter or state value.</summary>
    public const string UpdatedSuffix = ".updated";

    /// <summary>
    /// Returns the state tensor suffixes of each parameter, named as PyTorch names the state:
    /// <c>.momentum_buffer</c> for SGD with momentum, <c>.exp_avg</c> and <c>.exp_avg_sq</c> for Adam and AdamW.
    /// </summary>
    public static IReadOnlyList<string> StateSuffixes(OptimizerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.Kind switch
        {
            OptimizerKind.Sgd => options.Momentum > 0 ? [".momentum_buffer"] : [],
            _ => [".exp_avg", ".exp_avg_sq"],
        };
    }

    /// <summary>Builds the optimizer model for the parameters, in the given order.</summary>
    /// <exception cref="ArgumentException">The options are invalid, the list is empty, names repeat, or a parameter is not FLOAT.</exception>
    public static OnnxModel Build(IReadOnlyList<ParameterSpec> parameters, OptimizerOptions options)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        CheckParameters(parameters);

        var stateSuffixes = StateSuffixes(options);
        var inputs = new List<(string, TensorInfo)>
        {
            (LearningRateInput, new TensorInfo(DataTypes.Float, [])),
            (StepInput, new TensorInfo(DataTypes.Int64, [])),
        };
        foreach (var parameter in parameters)
        {
            var info = new TensorInfo(parameter.ElementType, parameter.Dims);
            inputs.Add((parameter.Name, info));
            inputs.Add((parameter.Name + GradientSuffix, info));
            inputs.AddRange(stateSuffixes.Select(suffix => (parameter.Name + suffix, info)));
        }

        var graph = new StandaloneGraph("graddiag_optimizer_" + options.Kind.ToString().ToLowerInvariant(), inputs, "optim/");
        var emitter = graph.Emitter;

        var gradients = parameters.Select(p => p.Name + GradientSuffix).ToArray();
        var globalNorm = EmitGlobalNorm(emitter, gradients);
        if (options.MaxGradientNorm is { } maxNorm)
        {
            // PyTorch's clip_grad_norm_: factor = min(1, max_norm / (norm + 1e-6)).
            var factor = emitter.Op("Div", [emitter.Scalar(maxNorm, DataTypes.Float), emitter.Op("Add", [globalNorm, emitter.Scalar(1e-6, DataTypes.Float)])]);
            factor = emitter.Op("Min", [factor, emitter.Scalar(1.0, DataTypes.Float)]);
            gradients = gradients.Select(g => emitter.Op("Mul", [g, factor])).ToArray();
        }

        var rule = new UpdateRule(emitter, options);
        var updateSquares = new List<string>();
        for (var i = 0; i < parameters.Count; i++)
        {
            var parameter = parameters[i];
            var info = new TensorInfo(parameter.ElementType, parameter.Dims);
            var state = stateSuffixes.Select(suffix => parameter.Name + suffix).ToArray();
            var (newValue, newState) = rule.Emit(parameter.Name, gradients[i], state);

            graph.AddOutput(parameter.Name + UpdatedSuffix, newValue, info);
            for (var s = 0; s < state.Length; s++)
            {
                graph.AddOutput(state[s] + UpdatedSuffix, newState[s], info);
            }

            var update = emitter.Op("Sub", [newValue, parameter.Name]);
            updateSquares.Add(emitter.Reduce("ReduceSumSquare", update, null, keepDims: false));
        }

        graph.AddOutput(GlobalNormOutput, globalNorm, new TensorInfo(DataTypes.Float, []));
        graph.AddOutput(UpdateSumOfSquaresOutput, graph.StackScalars(updateSquares), new TensorInfo(DataTypes.Float, [parameters.Count]));
        return graph.ToModel($"One {options.Kind} update in standard ONNX operators (PyTorch formulas).");
    }

    /// <summary>Emits sqrt(Σ_i Σ g_i²) without masking, so a non-finite gradient gives a non-finite norm.</summary>
    private static string EmitGlobalNorm(GraphEmitter emitter, IReadOnlyList<string> gradients)
    {
        var squares = gradients.Select(g => emitter.Reduce("ReduceSumSquare", g, null, keepDims: false)).ToArray();
        var total = squares.Length == 1 ? squares[0] : emitter.Op("Sum", squares);
        return emitter.Op("Sqrt", [total]);
    }

    private static void CheckParameters(IReadOnlyList<ParameterSpec> parameters)
    {
        if (parameters.Count == 0)
        {
            throw new ArgumentException("The optimizer graph needs at least one parameter.", nameof(parameters));
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var parameter in parameters)
        {
            if (!seen.Add(parameter.Name))
            {
                throw new ArgumentException($"The parameter '{parameter.Name}' is listed twice.", nameof(parameters));
            }

            // NOTE: FLOAT16, BFLOAT16 and DOUBLE parameters would need float32 master weights or casts; not built yet.
            if (parameter.ElementType != DataTypes.Float)
            {
                throw new ArgumentException($"The optimizer graph supports FLOAT parameters only; parameter {parameter} is not FLOAT.", nameof(parameters));
            }
        }
    }
}
