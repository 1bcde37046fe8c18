using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using GradDiag.OrtBackend.Models;

namespace GradDiag.OrtBackend.Checkpoints;

/// <summary>
/// Reads and writes GradDiag checkpoint files (format version 1, all integers little-endian):
/// <code>
/// header   magic "GDIAGCKP" (8 bytes), u32 format version = 1, u32 flags = 0,
///          model SHA-256 (32 bytes), i64 step, i64 schedule position, u32 tensor count
/// tensor   u16 name byte length, UTF-8 name, u8 kind (0 parameter, 1 frozen, 2 optimizer state),
///          i32 ONNX element type, u8 rank, i64 dims[rank], i64 data byte length, raw data
/// trailer  SHA-256 of every byte before it (32 bytes)
/// </code>
/// </summary>
/// <remarks>
/// Saving writes a temporary file in the destination folder, flushes it to disk and renames it over the
/// destination, so the destination contains the old or the new checkpoint and never a partial one. Loading
/// checks the trailer first, so a torn or edited file is reported before any field is trusted.
/// </remarks>
internal static class CheckpointFile
{
    /// <summary>The number of bytes of a SHA-256.</summary>
    public const int HashLength = 32;

    /// <summary>The format version this code writes and reads.</summary>
    public const uint FormatVersion = 1;

    private const int HeaderLength = 8 + 4 + 4 + HashLength + 8 + 8 + 4;
    private static readonly byte[] Magic = "GDIAGCKP"u8.ToArray();

    /// <summary>Writes the checkpoint atomically to <paramref name="path"/>.</summary>
    /// <exception cref="ArgumentException">A tensor's name is empty or too long, its rank exceeds 255, or its data length does not match its shape.</exception>
    public static void Save(string path, TrainingCheckpoint checkpoint)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(checkpoint);
        foreach (var tensor in checkpoint.Tensors)
        {
            CheckTensor(tensor);
        }

        var fullPath = System.IO.Path.GetFullPath(path);
        var temporary = fullPath + ".tmp-" + Guid.NewGuid().ToString("N");
        try
        {
            using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write))
            {
                using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                using (var writer = new BinaryWriter(new HashingStream(file, hash), Encoding.UTF8, leaveOpen: true))
                {
                    WriteBody(writer, checkpoint);
                }

                file.Write(hash.GetHashAndReset());
                file.Flush(flushToDisk: true);
            }

            File.Move(temporary, fullPath, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary))
            {
                File.Delete(temporary);
            }
        }
    }

    /// <summary>Reads and verifies a checkpoint.</summary>
    /// <param name="path">The checkpoint file.</param>
    /// <param name="expectedModelSha256">The SHA-256 of the model the checkpoint must belong to, or null to accept any.</param>
    /// <exception cref="CheckpointException">The file is missing, torn, corrupt, of another format or version, or of another model.</exception>
    public static TrainingCheckpoint Load(string path, byte[]? expectedModelSha256 = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
        {
            throw new CheckpointException(path, "file", "The checkpoint file was not found.");
        }

        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        var bodyLength = file.Length - HashLength;
        if (file.Length >= Magic.Length && !StartsWithMagic(file))
        {
            throw new CheckpointException(path, "header.magic", "The file is not a GradDiag checkpoint.", Encoding.ASCII.GetString(Magic), Printable(file, Magic.Length));
        }

        if (bodyLength < HeaderLength)
        {
            throw new CheckpointException(path, "file", "The file is shorter than a checkpoint header and trailer, so it is torn or not a checkpoint.", $"at least {HeaderLength + HashLength} bytes", $"{file.Length} bytes");
        }

        VerifyTrailer(path, file, bodyLength);

        file.Position = 0;
        using var reader = new BinaryReader(file, Encoding.UTF8, leaveOpen: true);
        try
        {
            return ReadBody(path, reader, bodyLength, expectedModelSha256);
        }
        catch (EndOfStreamException ex)
        {
            throw new CheckpointException(path, "tensors", "The tensor section ends before its declared contents.", null, null, ex);
        }
    }

    private static void WriteBody(BinaryWriter writer, TrainingCheckpoint checkpoint)
    {
        writer.Write(Magic);
        writer.Write(FormatVersion);
        writer.Write(0u);
        writer.Write(checkpoint.ModelSha256);
        writer.Write(checkpoint.Step);
        writer.Write(checkpoint.SchedulePosition);
        writer.Write((uint)checkpoint.Tensors.Count);
        foreach (var tensor in checkpoint.Tensors)
        {
            var name = Encoding.UTF8.GetBytes(tensor.Name);
            writer.Write((ushort)name.Length);
            writer.Write(name);
            writer.Write((byte)tensor.Kind);
            writer.Write(tensor.ElementType);
            writer.Write((byte)tensor.Dims.Length);
            foreach (var dim in tensor.Dims)
            {
                writer.Write(dim);
            }

            writer.Write((long)tensor.Data.Length);
            writer.Write(tensor.Data);
        }
    }

    private static TrainingCheckpoint ReadBody(string path, BinaryReader reader, long bodyLength, byte[]? expectedModelSha256)
    {
        reader.ReadBytes(Magic.Length);
        var version = reader.ReadUInt32();
        if (version != FormatVersion)
        {
            throw new CheckpointException(path, "header.format_version", "This version of GradDiag cannot read the checkpoint's format version.", FormatVersion.ToString(CultureInfo.InvariantCulture), version.ToString(CultureInfo.InvariantCulture));
        }

        var flags = reader.ReadUInt32();
        if (flags != 0)
        {
            throw new CheckpointException(path, "header.flags", "Unknown header flags are set.", "0", flags.ToString(CultureInfo.InvariantCulture));
        }

        var modelHash = reader.ReadBytes(HashLength);
        if (expectedModelSha256 is not null && !modelHash.AsSpan().SequenceEqual(expectedModelSha256))
        {
            throw new CheckpointException(path, "header.model_sha256", "The checkpoint belongs to another model (or the model file changed after the checkpoint was written).", Convert.ToHexStringLower(expectedModelSha256), Convert.ToHexStringLower(modelHash));
        }

        var step = reader.ReadInt64();
        var schedulePosition = reader.ReadInt64();
        var count = reader.ReadUInt32();
        var tensors = new List<CheckpointTensor>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < count; i++)
        {
            var tensor = ReadTensor(path, reader, bodyLength, i);
            if (!names.Add(tensor.Name))
            {
                throw new CheckpointException(path, $"tensors[{i}].name", "A tensor name appears twice.", null, $"'{tensor.Name}'");
            }

            tensors.Add(tensor);
        }

        if (reader.BaseStream.Position != bodyLength)
        {
            throw new CheckpointException(path, "tensors", "Bytes remain between the last tensor and the trailer.", $"{bodyLength} bytes of header and tensors", $"{reader.BaseStream.Position} bytes");
        }

        return new TrainingCheckpoint(modelHash, step, schedulePosition, tensors);
    }

    private static CheckpointTensor ReadTensor(string path, BinaryReader reader, long bodyLength, int index)
    {
        var label = $"tensors[{index}]";
        var nameBytes = ReadExactly(path, reader, reader.ReadUInt16(), bodyLength, label + ".name");
        var name = Encoding.UTF8.GetString(nameBytes);
        label = $"tensors[{index}] '{name}'";
        var kindByte = reader.ReadByte();
        if (!Enum.IsDefined(typeof(CheckpointTensorKind), kindByte))
        {
            throw new CheckpointException(path, label + ".kind", "Unknown tensor kind.", "0, 1 or 2", kindByte.ToString(CultureInfo.InvariantCulture));
        }

        var elementType = reader.ReadInt32();
        var rank = reader.ReadByte();
        var dims = new long[rank];
        for (var d = 0; d < rank; d++)
        {
            dims[d] = reader.ReadInt64();
            if (dims[d] < 0)
            {
                throw new CheckpointException(path, $"{label}.dims[{d}]", "A dimension is negative.", "a value >= 0", dims[d].ToString(CultureInfo.InvariantCulture));
            }
        }

        var length = reader.ReadInt64();
        var expected = ExpectedBytes(elementType, dims);
        if (expected is null || length != expected)
        {
            throw new CheckpointException(path, label + ".data_length", $"The data length does not match element type {DataTypes.Name(elementType)} and shape [{string.Join(", ", dims)}].", expected?.ToString(CultureInfo.InvariantCulture) ?? "a fixed-width element type", length.ToString(CultureInfo.InvariantCulture));
        }

        var data = ReadExactly(path, reader, length, bodyLength, label + ".data");
        return new CheckpointTensor(name, (CheckpointTensorKind)kindByte, elementType, dims, data);
    }

    private static byte[] ReadExactly(string path, BinaryReader reader, long length, long bodyLength, string field)
    {
        if (length > bodyLength - reader.BaseStream.Position || length > Array.MaxLength)
        {
            throw new CheckpointException(path, field, "The field runs past the end of the tensor section.", $"at most {bodyLength - reader.BaseStream.Position} bytes", $"{length} bytes");
        }

        return reader.ReadBytes((int)length);
    }

    private static void VerifyTrailer(string path, FileStream file, long bodyLength)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        file.Position = 0;
        var buffer = new byte[1 << 16];
        var remaining = bodyLength;
        while (remaining > 0)
        {
            var read = file.Read(buffer, 0, (int)Math.Min(buffer.Length, remaining));
            if (read == 0)
            {
                break;
            }

            hash.AppendData(buffer, 0, read);
            remaining -= read;
        }

        var stored = new byte[HashLength];
        file.ReadExactly(stored);
        var computed = hash.GetHashAndReset();
        if (!computed.AsSpan().SequenceEqual(stored))
        {
            throw new CheckpointException(path, "trailer.sha256", "The checksum does not match the contents, so the file is torn (an interrupted write) or was modified.", Convert.ToHexStringLower(computed), Convert.ToHexStringLower(stored));
        }
    }

    private static void CheckTensor(CheckpointTensor tensor)
    {
        var nameLength = Encoding.UTF8.GetByteCount(tensor.Name);
        if (nameLength == 0 || nameLength > ushort.MaxValue)
        {
            throw new ArgumentException($"Checkpoint tensor names must have 1 to {ushort.MaxValue} UTF-8 bytes; '{tensor.Name}' has {nameLength}.");
        }

        if (tensor.Dims.Length > byte.MaxValue)
        {
            throw new ArgumentException($"Checkpoint tensor '{tensor.Name}' has rank {tensor.Dims.Length}; at most {byte.MaxValue} is supported.");
        }

        var expected = ExpectedBytes(tensor.ElementType, tensor.Dims);
        if (expected != tensor.Data.Length)
        {
            throw new ArgumentException($"Checkpoint tensor '{tensor.Name}' ({DataTypes.Name(tensor.ElementType)}[{string.Join(", ", tensor.Dims)}]) has {tensor.Data.Length} data bytes; expected {expected?.ToString(CultureInfo.InvariantCulture) ?? "a fixed-width element type"}.");
        }
    }

    private static long? ExpectedBytes(int elementType, long[] dims)
    {
        var bits = DataTypes.BitsPerElement(elementType);
        if (bits < 8)
        {
            // Sub-byte and variable-width types (strings) are not stored in checkpoints.
            return null;
        }

        try
        {
            var count = dims.Aggregate(1L, (product, d) => checked(product * d));
            return checked(count * (bits / 8));
        }
        catch (OverflowException)
        {
            return null;
        }
    }

    private static bool StartsWithMagic(FileStream file)
    {
        Span<byte> head = stackalloc byte[8];
        file.Position = 0;
        file.ReadExactly(head);
        file.Position = 0;
        return head.SequenceEqual(Magic);
    }

    private static string Printable(FileStream file, int count)
    {
        var head = new byte[count];
        file.Position = 0;
        file.ReadExactly(head);
        file.Position = 0;
        return "0x" + Convert.ToHexString(head);
    }

    /// <summary>A write-only stream that feeds every byte to a hash before passing it on.</summary>
    private sealed class HashingStream(Stream inner, IncrementalHash hash) : Stream
    {
        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            hash.AppendData(buffer);
            inner.Write(buffer);
        }

        public override void Flush() => inner.Flush();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
