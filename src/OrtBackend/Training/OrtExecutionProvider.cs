namespace GradDiag.OrtBackend.Training;

/// <summary>The ONNX Runtime execution provider that runs the training sessions.</summary>
public enum OrtExecutionProvider
{
    /// <summary>The CPU provider, present in every ONNX Runtime package.</summary>
    Cpu,

    /// <summary>The CUDA provider; needs the Microsoft.ML.OnnxRuntime.Gpu package, the CUDA 13 libraries, cuDNN 9 and an NVIDIA device.</summary>
    Cuda,
}
