using GradDiag.OrtBackend.Graphs;

namespace GradDiag.OrtBackend.Gradients.Rules;

/// <summary>Transpose(perm): dX = Transpose(dY, inverse perm); without perm the axes are reversed, which is its own inverse.</summary>
internal sealed class TransposeRule : IGradientRule
{
    public IReadOnlyList<string> OpTypes { get; } = ["Transpose"];

    public void Backward(GradientContext context)
    {
        var dy = context.OutputGradient(0)!;
        var perm = context.Node.GetInts("perm");
        if (perm is null)
        {
            context.AddGradient(0, context.Op("Transpose", [dy]));
            return;
        }

        var inverse = new long[perm.Length];
        for (var i = 0; i < perm.Length; i++)
        {
            var axis = perm[i] < 0 ? perm[i] + perm.Length : perm[i];
            inverse[axis] = i;
        }

        context.AddGradient(0, context.Op("Transpose", [dy], Attributes.Ints("perm", inverse)));
    }
}
