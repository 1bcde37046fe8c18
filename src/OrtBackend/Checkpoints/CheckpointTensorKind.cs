namespace GradDiag.OrtBackend.Checkpoints;

/// <summary>The role of a tensor stored in a checkpoint; the value is the byte written to the file.</summary>
internal enum CheckpointTensorKind : byte
{
    /// <summary>A trainable parameter.</summary>
    Parameter = 0,

    /// <summary>A frozen or non-trainable floating-point tensor, such as a running statistic.</summary>
    Frozen = 1,

    /// <summary>An optimizer state tensor, such as <c>{parameter}.exp_avg</c>.</summary>
    OptimizerState = 2,
}
