using GradDiag.OrtBackend.Schedules;
using Microsoft.ML.OnnxRuntime;

namespace GradDiag.OrtBackend.Training;

/// <summary>Settings of <see cref="OrtTrainingBackend"/>: the artifacts, the execution provider, the session and the training loop.</summary>
public sealed class OrtBackendOptions
{
    /// <summary>Gets or sets the training-artifacts folder that <see cref="Artifacts.TrainingArtifactBuilder"/> wrote. Required.</summary>
    public string ArtifactsDirectory { get; set; } = string.Empty;

    /// <summary>
    /// Gets or sets the source model file, or null. When set, the backend rejects the artifacts if the file's
    /// SHA-256 differs from the manifest's, because the model changed after the artifacts were built.
    /// </summary>
    public string? SourceModelPath { get; set; }

    /// <summary>Gets or sets a checkpoint to resume from, or null to start from the folder's initial checkpoint.</summary>
    public string? CheckpointPath { get; set; }

    /// <summary>Gets or sets the execution provider. Default <see cref="OrtExecutionProvider.Cpu"/>.</summary>
    public OrtExecutionProvider ExecutionProvider { get; set; } = OrtExecutionProvider.Cpu;

    /// <summary>Gets or sets the CUDA device id. Default 0.</summary>
    public int CudaDeviceId { get; set; }

    /// <summary>Gets or sets the CUDA memory arena limit in bytes (the provider's gpu_mem_limit), or null for no limit.</summary>
    public long? CudaMemoryLimitBytes { get; set; }

    /// <summary>Gets or sets the number of threads of each session's intra-op pool; 0 lets ONNX Runtime choose. Default 0.</summary>
    public int IntraOpThreads { get; set; }

    /// <summary>
    /// Gets or sets whether the workers of each session's intra-op pool spin after a run while they wait for more
    /// work, ONNX Runtime's default. Default false: the backend runs four sessions in turn, each with its own pool,
    /// and on a machine with few cores the workers still spinning after one session's run take cores from the next
    /// one. With two cores and two threads per session, spinning made a bench_mlp training step twice as slow
    /// (docs/benchmarks.md).
    /// </summary>
    public bool AllowIntraOpSpinning { get; set; }

    /// <summary>Gets or sets the graph optimization level of the sessions. Default <see cref="GraphOptimizationLevel.ORT_ENABLE_ALL"/>.</summary>
    public GraphOptimizationLevel GraphOptimizationLevel { get; set; } = GraphOptimizationLevel.ORT_ENABLE_ALL;

    /// <summary>
    /// Gets or sets whether the sessions use ONNX Runtime's deterministic kernels, so that two runs from the
    /// same state give bit-identical results on the same provider and thread count. Default false.
    /// </summary>
    public bool DeterministicCompute { get; set; }

    /// <summary>Gets or sets the learning rate when <see cref="LearningRateSchedule"/> is null. Default 0.01.</summary>
    public double LearningRate { get; set; } = 0.01;

    /// <summary>Gets or sets the learning-rate schedule, or null for the constant <see cref="LearningRate"/>.</summary>
    public ILearningRateSchedule? LearningRateSchedule { get; set; }

    /// <summary>
    /// Gets or sets the number of micro-batches each batch is split into along axis 0. Their gradients are
    /// averaged before capture, which equals the full-batch gradient for a mean-reduced loss. Default 1.
    /// </summary>
    public int GradientAccumulationSteps { get; set; } = 1;

    /// <summary>
    /// Gets or sets the seed of the Dropout masks, or null for a seed drawn when the backend is created. The
    /// training model draws each mask from the seed, the step and the micro-batch. So two backends with the same
    /// seed draw the same masks. A run resumed from a checkpoint with the same seed draws the masks that the
    /// uninterrupted run would have drawn. The <c>seed</c> attributes of the model's Dropout nodes are not used.
    /// </summary>
    public long? DropoutSeed { get; set; }

    /// <summary>
    /// Gets or sets where ordinary steps compute the gradient statistics. Default <see cref="GradientStatisticsPath.Auto"/>:
    /// the host kernel on the CPU provider with host buffers, the in-graph statistics model on CUDA or with device
    /// buffers. Both give the same numbers within float32 rounding.
    /// </summary>
    public GradientStatisticsPath StatisticsPath { get; set; } = GradientStatisticsPath.Auto;

    /// <summary>
    /// Gets or sets where the optimizer update runs. Default <see cref="Training.OptimizerPath.Auto"/>: on the host on the
    /// CPU provider with host buffers, where one pass both updates the parameters and measures what the monitor needs,
    /// and in the optimizer model on CUDA or with device buffers. <see cref="Training.OptimizerPath.Host"/> needs the
    /// CPU provider and host buffers.
    /// </summary>
    public OptimizerPath OptimizerPath { get; set; } = OptimizerPath.Auto;

    /// <summary>
    /// Gets or sets where parameters, gradients, optimizer state and running statistics live. Default
    /// <see cref="Training.BufferPlacement.Auto"/>: managed host arrays on the CPU provider, device tensors on CUDA.
    /// <see cref="Training.BufferPlacement.Device"/> needs the optimizer and statistics models, so it cannot be
    /// combined with <see cref="Training.OptimizerPath.Host"/> or <see cref="GradientStatisticsPath.HostKernel"/>.
    /// </summary>
    public BufferPlacement BufferPlacement { get; set; } = BufferPlacement.Auto;

    /// <summary>Gets whether the buffers live on the device: <see cref="BufferPlacement"/> Device, or Auto with CUDA.</summary>
    internal bool ResolvesToDeviceBuffers => BufferPlacement switch
    {
        BufferPlacement.Device => true,
        BufferPlacement.Host => false,
        _ => ExecutionProvider == OrtExecutionProvider.Cuda,
    };

    /// <summary>Returns one message per invalid setting, naming the property; empty when all are valid.</summary>
    public IReadOnlyList<string> Validate() => Validate(artifactsMustExist: true);

    /// <summary>Returns one message per invalid setting. The artifacts folder must exist only when <paramref name="artifactsMustExist"/> is true.</summary>
    internal IReadOnlyList<string> Validate(bool artifactsMustExist)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(ArtifactsDirectory))
        {
            failures.Add("OrtBackendOptions.ArtifactsDirectory is required: set it to the folder that TrainingArtifactBuilder.Build wrote.");
        }
        else if (artifactsMustExist && !Directory.Exists(ArtifactsDirectory))
        {
            failures.Add($"OrtBackendOptions.ArtifactsDirectory '{ArtifactsDirectory}' was not found: build the artifacts there first, or use OrtTrainingBackend.Create.");
        }

        if (SourceModelPath is not null && !File.Exists(SourceModelPath))
        {
            failures.Add($"OrtBackendOptions.SourceModelPath '{SourceModelPath}' was not found.");
        }

        if (CheckpointPath is not null && !File.Exists(CheckpointPath))
        {
            failures.Add($"OrtBackendOptions.CheckpointPath '{CheckpointPath}' was not found.");
        }

        if (!Enum.IsDefined(StatisticsPath))
        {
            failures.Add($"OrtBackendOptions.StatisticsPath is {(int)StatisticsPath}, which is not a known path; use Auto, Graph or HostKernel.");
        }

        if (!Enum.IsDefined(OptimizerPath))
        {
            failures.Add($"OrtBackendOptions.OptimizerPath is {(int)OptimizerPath}, which is not a known path; use Auto, Graph or Host.");
        }
        else if (OptimizerPath == OptimizerPath.Host && ExecutionProvider == OrtExecutionProvider.Cuda)
        {
            failures.Add("OrtBackendOptions.OptimizerPath is Host, which updates host arrays and needs ExecutionProvider Cpu; use Auto or Graph with Cuda.");
        }

        if (!Enum.IsDefined(BufferPlacement))
        {
            failures.Add($"OrtBackendOptions.BufferPlacement is {(int)BufferPlacement}, which is not a known placement; use Auto, Host or Device.");
        }
        else
        {
            if (ResolvesToDeviceBuffers && OptimizerPath == OptimizerPath.Host && ExecutionProvider == OrtExecutionProvider.Cpu)
            {
                failures.Add("OrtBackendOptions.OptimizerPath is Host, which updates host arrays, but the buffers are on the device; use OptimizerPath Graph or BufferPlacement Host.");
            }

            if (ResolvesToDeviceBuffers && StatisticsPath == GradientStatisticsPath.HostKernel)
            {
                failures.Add("OrtBackendOptions.StatisticsPath is HostKernel, which reads host arrays, but the buffers are on the device; use StatisticsPath Graph or BufferPlacement Host.");
            }
        }

        if (!Enum.IsDefined(ExecutionProvider))
        {
            failures.Add($"OrtBackendOptions.ExecutionProvider is {(int)ExecutionProvider}, which is not a known provider; use Cpu or Cuda.");
        }

        if (CudaDeviceId < 0)
        {
            failures.Add($"OrtBackendOptions.CudaDeviceId must be 0 or more; found {CudaDeviceId}.");
        }

        if (CudaMemoryLimitBytes is <= 0)
        {
            failures.Add($"OrtBackendOptions.CudaMemoryLimitBytes must be positive or null; found {CudaMemoryLimitBytes}.");
        }

        if (IntraOpThreads < 0)
        {
            failures.Add($"OrtBackendOptions.IntraOpThreads must be 0 (ONNX Runtime's choice) or more; found {IntraOpThreads}.");
        }

        if (LearningRateSchedule is null && (!double.IsFinite(LearningRate) || LearningRate < 0))
        {
            failures.Add($"OrtBackendOptions.LearningRate must be finite and not negative; found {LearningRate}.");
        }

        if (GradientAccumulationSteps < 1)
        {
            failures.Add($"OrtBackendOptions.GradientAccumulationSteps must be 1 or more; found {GradientAccumulationSteps}.");
        }

        return failures;
    }
}
