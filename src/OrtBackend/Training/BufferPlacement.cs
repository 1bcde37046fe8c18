namespace GradDiag.OrtBackend.Training;

/// <summary>Where the backend keeps parameters, gradients, optimizer state and BatchNormalization running statistics.</summary>
public enum BufferPlacement
{
    /// <summary><see cref="Host"/> on the CPU provider and <see cref="Device"/> on CUDA.</summary>
    Auto = 0,

    /// <summary>
    /// Managed arrays in host memory, bound to the sessions in place. On the CPU provider nothing is copied. On CUDA
    /// every run copies its bound inputs to the device and its outputs back.
    /// </summary>
    Host = 1,

    /// <summary>
    /// Tensors that ONNX Runtime allocates on the session's device, which stay there between steps: an ordinary step
    /// copies only the batch to the device and the loss and the statistics table back. Gradients and parameters are
    /// copied to the host only when the host requests them (histogram steps, checkpoints, <c>GetParameterValues</c>).
    /// Needs the optimizer model and the statistics model (<see cref="OptimizerPath.Graph"/> and
    /// <see cref="GradientStatisticsPath.Graph"/>, which <c>Auto</c> chooses). On the CPU provider the tensors are
    /// in host memory but are reached only through ONNX Runtime, as they are on CUDA, so the CUDA code path can be
    /// tested on a machine without a GPU.
    /// </summary>
    Device = 2,
}
