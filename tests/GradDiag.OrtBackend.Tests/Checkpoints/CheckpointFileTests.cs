using System.Buffers.Binary;
using System.Security.Cryptography;
using GradDiag.OrtBackend.Checkpoints;
using GradDiag.OrtBackend.Models;

namespace GradDiag.OrtBackend.Tests.Checkpoints;

public sealed class CheckpointFileTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("graddiag-ckpt-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    [Fact]
    public void Checkpoint_round_trips_every_field()
    {
        var path = Path.Combine(directory, "a.gdckpt");
        var original = Sample(step: 42);

        CheckpointFile.Save(path, original);
        var loaded = CheckpointFile.Load(path, original.ModelSha256);

        loaded.Step.Should().Be(42);
        loaded.SchedulePosition.Should().Be(7);
        loaded.ModelSha256.Should().Equal(original.ModelSha256);
        loaded.Tensors.Should().HaveCount(3);
        for (var i = 0; i < 3; i++)
        {
            loaded.Tensors[i].Name.Should().Be(original.Tensors[i].Name);
            loaded.Tensors[i].Kind.Should().Be(original.Tensors[i].Kind);
            loaded.Tensors[i].ElementType.Should().Be(original.Tensors[i].ElementType);
            loaded.Tensors[i].Dims.Should().Equal(original.Tensors[i].Dims);
            loaded.Tensors[i].Data.Should().Equal(original.Tensors[i].Data);
        }
    }

    [Fact]
    public void Checkpoint_save_replaces_and_leaves_no_temp()
    {
        var path = Path.Combine(directory, "a.gdckpt");
        CheckpointFile.Save(path, Sample(step: 1));

        CheckpointFile.Save(path, Sample(step: 2));

        CheckpointFile.Load(path).Step.Should().Be(2);
        Directory.GetFiles(directory).Should().ContainSingle();
    }

    [Fact]
    public void Checkpoint_invalid_save_keeps_old_file()
    {
        var path = Path.Combine(directory, "a.gdckpt");
        CheckpointFile.Save(path, Sample(step: 5));
        var bad = new TrainingCheckpoint(Hash(1), 6, 0, [new CheckpointTensor("w", CheckpointTensorKind.Parameter, DataTypes.Float, [3], new byte[8])]);

        var act = () => CheckpointFile.Save(path, bad);

        act.Should().Throw<ArgumentException>().WithMessage("*'w' (FLOAT[3]) has 8 data bytes; expected 12*");
        CheckpointFile.Load(path).Step.Should().Be(5);
    }

    [Fact]
    public void Checkpoint_flipped_byte_is_rejected()
    {
        var path = Path.Combine(directory, "a.gdckpt");
        CheckpointFile.Save(path, Sample(step: 1));
        var bytes = File.ReadAllBytes(path);
        bytes[bytes.Length - 40] ^= 0x01;
        File.WriteAllBytes(path, bytes);

        var act = () => CheckpointFile.Load(path);

        act.Should().Throw<CheckpointException>().WithMessage($"*'{path}'*trailer.sha256*torn*");
    }

    [Fact]
    public void Checkpoint_truncated_file_is_rejected()
    {
        var path = Path.Combine(directory, "a.gdckpt");
        CheckpointFile.Save(path, Sample(step: 1));
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);

        var act = () => CheckpointFile.Load(path);

        act.Should().Throw<CheckpointException>().WithMessage("*trailer.sha256*");
    }

    [Fact]
    public void Checkpoint_short_file_is_rejected()
    {
        var path = Path.Combine(directory, "a.gdckpt");
        CheckpointFile.Save(path, Sample(step: 1));
        File.WriteAllBytes(path, File.ReadAllBytes(path)[..20]);

        var act = () => CheckpointFile.Load(path);

        act.Should().Throw<CheckpointException>().WithMessage("*shorter than a checkpoint header*found 20 bytes*");
    }

    [Fact]
    public void Checkpoint_foreign_file_is_rejected()
    {
        var path = Path.Combine(directory, "model.onnx");
        File.WriteAllText(path, "{\"this is\": \"not a checkpoint at all, just some JSON text\"}");

        var act = () => CheckpointFile.Load(path);

        act.Should().Throw<CheckpointException>().WithMessage("*header.magic*not a GradDiag checkpoint*Expected GDIAGCKP*");
    }

    [Fact]
    public void Checkpoint_other_model_is_rejected()
    {
        var path = Path.Combine(directory, "a.gdckpt");
        CheckpointFile.Save(path, Sample(step: 1));

        var act = () => CheckpointFile.Load(path, Hash(2));

        act.Should().Throw<CheckpointException>().WithMessage($"*header.model_sha256*another model*{Convert.ToHexStringLower(Hash(2))}*");
    }

    [Fact]
    public void Checkpoint_newer_version_is_rejected()
    {
        var path = Path.Combine(directory, "a.gdckpt");
        CheckpointFile.Save(path, Sample(step: 1));
        var bytes = File.ReadAllBytes(path);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(8), 2);
        SHA256.HashData(bytes.AsSpan(0, bytes.Length - 32)).CopyTo(bytes, bytes.Length - 32);
        File.WriteAllBytes(path, bytes);

        var act = () => CheckpointFile.Load(path);

        act.Should().Throw<CheckpointException>().WithMessage("*header.format_version*Expected 1, found 2*");
    }

    [Fact]
    public void Checkpoint_missing_file_is_rejected()
    {
        var act = () => CheckpointFile.Load(Path.Combine(directory, "none.gdckpt"));

        act.Should().Throw<CheckpointException>().WithMessage("*none.gdckpt*not found*");
    }

    private static TrainingCheckpoint Sample(long step)
    {
        var weights = new byte[6 * 4];
        for (var i = 0; i < 6; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(weights.AsSpan(i * 4), i - 2.5f);
        }

        return new TrainingCheckpoint(Hash(1), step, 7,
        [
            new CheckpointTensor("fc.weight", CheckpointTensorKind.Parameter, DataTypes.Float, [2, 3], weights),
            new CheckpointTensor("bn.running_mean", CheckpointTensorKind.Frozen, DataTypes.Double, [1], BitConverter.GetBytes(0.25)),
            new CheckpointTensor("fc.weight.exp_avg", CheckpointTensorKind.OptimizerState, DataTypes.Float, [2, 3], new byte[24]),
        ]);
    }

    private static byte[] Hash(byte seed) => SHA256.HashData([seed]);
}
