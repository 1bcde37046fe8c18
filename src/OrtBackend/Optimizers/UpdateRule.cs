using GradDiag.OrtBackend.Graphs;
using GradDiag.OrtBackend.Models;

namespace GradDiag.OrtBackend.Optimizers;

/// <summary>Emits one parameter's SGD, Adam or AdamW update (PyTorch formulas) in FLOAT arithmetic.</summary>
internal sealed class UpdateRule
{
    private readonly GraphEmitter emitter;
    private readonly OptimizerOptions options;
    private string? stepSize;
    private string? sqrtBiasCorrection2;

    public UpdateRule(GraphEmitter emitter, OptimizerOptions options)
    {
        this.emitter = emitter;
        this.options = options;
    }

    /// <summary>Emits the update and returns the new parameter value and the new state values, in state order.</summary>
    public (string Value, string[] State) Emit(string parameter, string gradient, string[] state) => options.Kind switch
    {
        OptimizerKind.Sgd => EmitSgd(parameter, gradient, state),
        _ => EmitAdam(parameter, gradient, state),
    };

    /// <summary>
    /// d = g + wd·w; with momentum μ: buf = μ·buf + d, and d = d + μ·buf (Nesterov) or d = buf; w = w − lr·d.
    /// </summary>
    private (string, string[]) EmitSgd(string parameter, string gradient, string[] state)
    {
        var direction = AddWeightDecay(gradient, parameter);
        var newState = Array.Empty<string>();
        if (options.Momentum > 0)
        {
            var momentum = Constant(options.Momentum);
            var buffer = emitter.Op("Add", [emitter.Op("Mul", [state[0], momentum]), direction]);
            newState = [buffer];
            direction = options.Nesterov ? emitter.Op("Add", [direction, emitter.Op("Mul", [buffer, momentum])]) : buffer;
        }

        var value = emitter.Op("Sub", [parameter, emitter.Op("Mul", [direction, OptimizerGraph.LearningRateInput])]);
        return (value, newState);
    }

    /// <summary>
    /// Adam: g = g + wd·w. AdamW: w = w·(1 − lr·wd) first. Both: m = β1·m + (1−β1)·g, v = β2·v + (1−β2)·g²,
    /// w = w − (lr / (1−β1^t))·m / (√v / √(1−β2^t) + ε), as torch.optim.Adam evaluates it.
    /// </summary>
    private (string, string[]) EmitAdam(string parameter, string gradient, string[] state)
    {
        var weights = parameter;
        if (options.Kind == OptimizerKind.Adam)
        {
            gradient = AddWeightDecay(gradient, parameter);
        }
        else if (options.WeightDecay != 0)
        {
            var decay = emitter.Op("Mul", [OptimizerGraph.LearningRateInput, Constant(options.WeightDecay)]);
            weights = emitter.Op("Mul", [parameter, emitter.Op("Sub", [Constant(1.0), decay])]);
        }

        var firstMoment = emitter.Op("Add", [emitter.Op("Mul", [state[0], Constant(options.Beta1)]), emitter.Op("Mul", [gradient, Constant(1 - options.Beta1)])]);
        var squared = emitter.Op("Mul", [gradient, gradient]);
        var secondMoment = emitter.Op("Add", [emitter.Op("Mul", [state[1], Constant(options.Beta2)]), emitter.Op("Mul", [squared, Constant(1 - options.Beta2)])]);

        EnsureBiasCorrection();
        var denominator = emitter.Op("Add", [emitter.Op("Div", [emitter.Op("Sqrt", [secondMoment]), sqrtBiasCorrection2!]), Constant(options.Epsilon)]);
        var update = emitter.Op("Mul", [emitter.Op("Div", [firstMoment, denominator]), stepSize!]);
        var value = emitter.Op("Sub", [weights, update]);
        return (value, [firstMoment, secondMoment]);
    }

    /// <summary>Emits lr / (1 − β1^t) and √(1 − β2^t) once; t is the step input cast to FLOAT.</summary>
    private void EnsureBiasCorrection()
    {
        if (stepSize is not null)
        {
            return;
        }

        var t = emitter.Op("Cast", [OptimizerGraph.StepInput], Attributes.Int("to", DataTypes.Float));
        var one = Constant(1.0);
        var correction1 = emitter.Op("Sub", [one, emitter.Op("Pow", [Constant(options.Beta1), t])]);
        var correction2 = emitter.Op("Sub", [one, emitter.Op("Pow", [Constant(options.Beta2), t])]);
        stepSize = emitter.Op("Div", [OptimizerGraph.LearningRateInput, correction1]);
        sqrtBiasCorrection2 = emitter.Op("Sqrt", [correction2]);
    }

    private string AddWeightDecay(string gradient, string parameter) =>
        options.WeightDecay == 0 ? gradient : emitter.Op("Add", [gradient, emitter.Op("Mul", [parameter, Constant(options.WeightDecay)])]);

    private string Constant(double value) => emitter.Scalar(value, DataTypes.Float);
}
