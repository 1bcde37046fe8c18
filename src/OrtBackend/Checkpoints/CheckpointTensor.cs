namespace GradDiag.OrtBackend.Checkpoints;

/// <summary>
/// One named tensor of a checkpoint: its role, ONNX element type (TensorProto.DataType numbering), shape,
/// and data as little-endian, row-major raw bytes (the TensorProto raw_data layout).
/// </summary>
internal sealed record CheckpointTensor(string Name, CheckpointTensorKind Kind, int ElementType, long[] Dims, byte[] Data);
