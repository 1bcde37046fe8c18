namespace GradDiag.OrtBackend.Training;

/// <summary>Where the backend computes the per-parameter gradient statistics of an ordinary step.</summary>
public enum GradientStatisticsPath
{
    /// <summary>
    /// <see cref="HostKernel"/> on the CPU provider with host buffers, where gradients already sit in host memory,
    /// and <see cref="Graph"/> on CUDA or with device buffers (<see cref="BufferPlacement"/>), where the reductions
    /// run next to the gradients.
    /// </summary>
    Auto = 0,

    /// <summary>The statistics model runs on the session's device; only its [P, 6] table crosses to the host.</summary>
    Graph = 1,

    /// <summary>GradDiag's one-pass vectorised kernel reads the host gradient and parameter buffers directly.</summary>
    HostKernel = 2,
}
