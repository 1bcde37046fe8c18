namespace GradDiag.OrtBackend.Training;

/// <summary>Where the backend applies the optimizer update.</summary>
public enum OptimizerPath
{
    /// <summary>
    /// <see cref="Host"/> on the CPU provider with host buffers, where parameters and gradients already sit in host
    /// memory, and <see cref="Graph"/> on CUDA or with device buffers (<see cref="BufferPlacement"/>).
    /// </summary>
    Auto = 0,

    /// <summary>The optimizer model of the artifacts folder runs in ONNX Runtime on the session's device.</summary>
    Graph = 1,

    /// <summary>
    /// GradDiag's vectorised update runs over the bound host arrays, with the optimizer model's formulas. An observed
    /// step measures the gradient, the update and the new values in the same pass. CPU provider and host buffers only.
    /// </summary>
    Host = 2,
}
