namespace GradDiag.OrtBackend.Gradients;

/// <summary>Settings of <see cref="GradientGraphBuilder"/>.</summary>
public sealed class GradientBuilderOptions
{
    /// <summary>
    /// Gets or sets the names of the trainable parameters (initializers or graph inputs of a floating-point
    /// type). Null means every floating-point initializer that is not listed in <see cref="FrozenParameters"/>.
    /// </summary>
    public IReadOnlyCollection<string>? TrainableParameters { get; set; }

    /// <summary>Gets or sets initializers that stay constant when <see cref="TrainableParameters"/> is null.</summary>
    public IReadOnlyCollection<string> FrozenParameters { get; set; } = [];

    /// <summary>
    /// Gets or sets whether trainable initializers become graph inputs, so the caller feeds the current
    /// weights each step (ONNX Runtime's training-artifact convention). Default true.
    /// </summary>
    public bool ParametersAsInputs { get; set; } = true;

    /// <summary>Gets or sets the suffix of gradient output names: parameter <c>w</c> gets output <c>w_grad</c>. Default <c>_grad</c>.</summary>
    public string GradientSuffix { get; set; } = "_grad";

    /// <summary>Gets or sets the prefix of every generated value and node name. Default <c>grad/</c>.</summary>
    public string NamePrefix { get; set; } = "grad/";
}
