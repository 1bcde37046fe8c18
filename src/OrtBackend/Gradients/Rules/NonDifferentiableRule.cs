namespace GradDiag.OrtBackend.Gradients.Rules;

/// <summary>
/// Operators whose outputs carry no gradient: constants, shape arithmetic, comparisons, logic, index
/// producers and piecewise-constant functions (their derivative is zero almost everywhere).
/// </summary>
internal sealed class NonDifferentiableRule : IGradientRule
{
    public IReadOnlyList<string> OpTypes { get; } =
    [
        "Constant", "ConstantOfShape", "Shape", "Size", "Range", "NonZero", "EyeLike", "OneHot",
        "Equal", "Less", "Greater", "LessOrEqual", "GreaterOrEqual", "Not", "And", "Or", "Xor",
        "IsNaN", "IsInf", "ArgMax", "ArgMin", "Sign", "Floor", "Ceil", "Round",
        "RandomNormal", "RandomUniform", "RandomNormalLike", "RandomUniformLike", "Bernoulli", "Multinomial",
    ];

    public bool IsDifferentiable => false;

    public void Backward(GradientContext context)
    {
    }
}
