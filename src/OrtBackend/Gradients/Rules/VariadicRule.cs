using GradDiag.OrtBackend.Graphs;

namespace GradDiag.OrtBackend.Gradients.Rules;

/// <summary>
/// The variadic elementwise operators with broadcasting. Sum: every input gets dY. Mean: dY/n. Max and
/// Min: dY goes to the inputs equal to the result, split equally among ties. Each gradient is summed over
/// the input's broadcast axes.
/// </summary>
internal sealed class VariadicRule : IGradientRule
{
    public IReadOnlyList<string> OpTypes { get; } = ["Sum", "Mean", "Max", "Min"];

    public void Backward(GradientContext context)
    {
        var dy = context.OutputGradient(0)!;
        var count = context.Node.Input.Count;
        switch (context.Node.OpType)
        {
            case "Sum":
                AddToAll(context, dy, count);
                break;
            case "Mean":
                AddToAll(context, context.Op("Div", [dy, context.Scalar(count)]), count);
                break;
            default:
                AddToExtremum(context, dy, count);
                break;
        }
    }

    private static void AddToAll(GradientContext context, string gradient, int count)
    {
        for (var i = 0; i < count; i++)
        {
            context.AddBroadcastGradient(i, gradient);
        }
    }

    private static void AddToExtremum(GradientContext context, string dy, int count)
    {
        var y = context.Output(0);
        var masks = new string[count];
        for (var i = 0; i < count; i++)
        {
            masks[i] = context.Op("Cast", [context.Op("Equal", [context.Input(i), y])], Attributes.Int("to", context.ElementType));
        }

        var ties = count == 1 ? masks[0] : context.Op("Sum", masks);
        var share = context.Op("Div", [dy, ties]);
        for (var i = 0; i < count; i++)
        {
            if (context.RequiresGradient(i))
            {
                context.AddBroadcastGradient(i, context.Op("Mul", [share, masks[i]]));
            }
        }
    }
}
