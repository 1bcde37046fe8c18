using GradDiag.OrtBackend.Graphs;

namespace GradDiag.OrtBackend.Gradients.Rules;

/// <summary>Split(axis): dX = Concat of the output gradients along the axis, zeros for outputs no gradient reached.</summary>
internal sealed class SplitRule : IGradientRule
{
    public IReadOnlyList<string> OpTypes { get; } = ["Split"];

    public void Backward(GradientContext context)
    {
        var axis = context.Node.GetInt("axis", 0);
        var parts = Enumerable.Range(0, context.Node.Output.Count).Select(context.OutputGradientOrZeros).ToArray();
        context.AddGradient(0, context.Op("Concat", parts, Attributes.Int("axis", axis)));
    }
}
