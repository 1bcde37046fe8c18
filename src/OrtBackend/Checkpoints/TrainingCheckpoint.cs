namespace GradDiag.OrtBackend.Checkpoints;

/// <summary>
/// The training state that a checkpoint file stores: the SHA-256 of the source model it belongs to, the
/// number of optimizer steps taken, the learning-rate schedule position, and the named tensors.
/// </summary>
internal sealed class TrainingCheckpoint
{
    public TrainingCheckpoint(byte[] modelSha256, long step, long schedulePosition, IReadOnlyList<CheckpointTensor> tensors)
    {
        ArgumentNullException.ThrowIfNull(modelSha256);
        ArgumentNullException.ThrowIfNull(tensors);
        if (modelSha256.Length != CheckpointFile.HashLength)
        {
            throw new ArgumentException($"A model SHA-256 has {CheckpointFile.HashLength} bytes; found {modelSha256.Length}.", nameof(modelSha256));
        }

        ModelSha256 = modelSha256;
        Step = step;
        SchedulePosition = schedulePosition;
        Tensors = tensors;
    }

    /// <summary>Gets the SHA-256 of the source model file.</summary>
    public byte[] ModelSha256 { get; }

    /// <summary>Gets the number of optimizer steps taken; 0 in an initial checkpoint.</summary>
    public long Step { get; }

    /// <summary>Gets the position of the learning-rate schedule, in schedule steps.</summary>
    public long SchedulePosition { get; }

    /// <summary>Gets the tensors, in file order.</summary>
    public IReadOnlyList<CheckpointTensor> Tensors { get; }

    /// <summary>Returns the tensor with the given name, or null.</summary>
    public CheckpointTensor? Find(string name) => Tensors.FirstOrDefault(t => t.Name == name);
}
