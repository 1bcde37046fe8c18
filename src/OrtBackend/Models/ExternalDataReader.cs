using System.Globalization;
using GradDiag.OrtBackend.Onnx;

namespace GradDiag.OrtBackend.Models;

/// <summary>
/// Loads tensors stored as ONNX external data into raw_data, enforcing that every location stays inside
/// the model's folder and that offsets and lengths fit the file before any buffer is allocated.
/// </summary>
internal static class ExternalDataReader
{
    private const string MemoryAddressLocation = "*/_ORT_MEM_ADDR_/*";
    private static readonly HashSet<string> AllowedKeys = new(StringComparer.Ordinal) { "location", "offset", "length", "checksum" };

    /// <summary>
    /// Replaces the external reference of <paramref name="tensor"/> with inline raw_data read from the file.
    /// </summary>
    /// <param name="tensor">A tensor whose data_location is EXTERNAL.</param>
    /// <param name="baseDirectory">The folder that contains the model, or null for a model loaded from bytes.</param>
    /// <param name="source">The model path or "bytes", for messages.</param>
    /// <param name="label">The tensor's description, for messages.</param>
    public static void Load(TensorProto tensor, string? baseDirectory, string source, string label)
    {
        var entries = ReadEntries(tensor, source, label);
        if (baseDirectory is null)
        {
            throw new OnnxModelException(source, $"{label}.external_data", "The tensor uses external data, but the model was loaded from bytes without a directory for external data. Pass the model's folder when loading.");
        }

        if (tensor.DataType == DataTypes.String)
        {
            throw new OnnxModelException(source, $"{label}.data_type", "STRING tensors cannot use external data.");
        }

        var expectedBytes = TensorLayout.ExpectedRawBytes(tensor, source, label);
        var location = entries.TryGetValue("location", out var value) ? value : string.Empty;
        var path = ResolveLocation(location, baseDirectory, source, label);

        var offset = ParseNonNegative(entries, "offset", source, label) ?? 0;
        var length = ParseNonNegative(entries, "length", source, label);
        if (length is not null && length.Value != expectedBytes)
        {
            throw new OnnxModelException(source, $"{label}.external_data.length", "The external data length does not match the tensor's type and shape.", $"{expectedBytes} bytes ({DataTypes.Name(tensor.DataType)} {TensorLayout.FormatDims(tensor)})", $"{length.Value} bytes");
        }

        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan);
        var fileLength = stream.Length;
        if (offset > fileLength || expectedBytes > fileLength - offset)
        {
            throw new OnnxModelException(source, $"{label}.external_data", $"The external data range lies beyond the end of '{location}'.", $"offset + length <= {fileLength} (file size)", $"offset {offset} + length {expectedBytes}");
        }

        var buffer = new byte[expectedBytes];
        stream.Seek(offset, SeekOrigin.Begin);
        stream.ReadExactly(buffer);

        tensor.RawData = Google.Protobuf.ByteString.CopyFrom(buffer);
        tensor.ExternalData.Clear();
        tensor.DataLocation = TensorProto.Types.DataLocation.Default;
    }

    /// <summary>
    /// Returns the full path of an external data file after checking that <paramref name="location"/> is
    /// relative, has no <c>..</c> component, is not ORT's memory-address pseudo-location, and neither it
    /// nor any symbolic link on the way leads outside <paramref name="baseDirectory"/>.
    /// </summary>
    public static string ResolveLocation(string location, string baseDirectory, string source, string label)
    {
        var field = $"{label}.external_data.location";
        if (string.IsNullOrEmpty(location))
        {
            throw new OnnxModelException(source, field, "The external data location is missing or empty.");
        }

        if (location == MemoryAddressLocation)
        {
            throw new OnnxModelException(source, field, "The in-memory address location is not allowed in a model file.", "a relative file path", location);
        }

        if (location.Contains('\0', StringComparison.Ordinal))
        {
            throw new OnnxModelException(source, field, "The external data location contains a NUL character.");
        }

        var isAbsolute = location[0] is '/' or '\\'
            || (location.Length >= 2 && location[1] == ':' && char.IsAsciiLetter(location[0]))
            || Path.IsPathRooted(location);
        if (isAbsolute)
        {
            throw new OnnxModelException(source, field, "Absolute external data paths are not allowed.", "a path relative to the model's folder", location);
        }

        var components = location.Split('/', '\\');
        if (components.Any(c => c == ".."))
        {
            throw new OnnxModelException(source, field, "The external data location contains a '..' component.", "a path inside the model's folder", location);
        }

        var root = CanonicalDirectory(baseDirectory);
        var current = root;
        var meaningful = components.Where(c => c.Length > 0 && c != ".").ToArray();
        if (meaningful.Length == 0)
        {
            throw new OnnxModelException(source, field, "The external data location does not name a file.", "a relative file path", location);
        }

        for (var i = 0; i < meaningful.Length; i++)
        {
            current = Path.Combine(current, meaningful[i]);
            var isLast = i == meaningful.Length - 1;
            FileSystemInfo info = isLast ? new FileInfo(current) : new DirectoryInfo(current);
            if (info.LinkTarget is null)
            {
                continue;
            }

            if (isLast)
            {
                throw new OnnxModelException(source, field, "The external data file is a symbolic link.", "a regular file", location);
            }

            var target = info.ResolveLinkTarget(returnFinalTarget: true);
            var resolved = target is null ? null : RealPath(target.FullName, 0);
            if (resolved is null || !IsInside(resolved, root))
            {
                throw new OnnxModelException(source, field, "A symbolic link in the external data path leads outside the model's folder.", $"a path inside '{root}'", resolved ?? location);
            }

            current = resolved;
        }

        if (!IsInside(current, root))
        {
            throw new OnnxModelException(source, field, "The external data path leads outside the model's folder.", $"a path inside '{root}'", current);
        }

        if (!File.Exists(current))
        {
            throw new OnnxModelException(source, field, "The external data file was not found.", "an existing file", current);
        }

        // NOTE: .NET exposes no hard-link count, so a hard link to a file outside the folder is not detected.
        return current;
    }

    private static Dictionary<string, string> ReadEntries(TensorProto tensor, string source, string label)
    {
        var entries = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in tensor.ExternalData)
        {
            if (!AllowedKeys.Contains(entry.Key))
            {
                throw new OnnxModelException(source, $"{label}.external_data", "Unknown external data key.", "one of location, offset, length, checksum", $"'{entry.Key}'");
            }

            if (!entries.TryAdd(entry.Key, entry.Value))
            {
                throw new OnnxModelException(source, $"{label}.external_data", $"The external data key '{entry.Key}' appears more than once.");
            }
        }

        return entries;
    }

    private static long? ParseNonNegative(Dictionary<string, string> entries, string key, string source, string label)
    {
        if (!entries.TryGetValue(key, out var text))
        {
            return null;
        }

        var isDigits = text.Length > 0 && text.All(char.IsAsciiDigit);
        if (!isDigits || !long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
        {
            throw new OnnxModelException(source, $"{label}.external_data.{key}", "The value is not a non-negative decimal integer that fits in 64 bits.", "digits 0-9 only", $"'{text}'");
        }

        return value;
    }

    private static string CanonicalDirectory(string directory) =>
        Path.TrimEndingDirectorySeparator(RealPath(directory, 0));

    /// <summary>Returns the absolute path with every symbolic link on the way resolved.</summary>
    private static string RealPath(string path, int depth)
    {
        const int MaxLinkDepth = 40;
        if (depth > MaxLinkDepth)
        {
            throw new IOException($"Too many levels of symbolic links while resolving '{path}'.");
        }

        var full = Path.GetFullPath(path);
        var root = Path.GetPathRoot(full) ?? string.Empty;
        var current = root;
        foreach (var part in full[root.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries))
        {
            current = Path.Combine(current, part);
            var info = new FileInfo(current);
            if (info.LinkTarget is null)
            {
                continue;
            }

            var target = info.ResolveLinkTarget(returnFinalTarget: true);
            current = target is null ? current : RealPath(target.FullName, depth + 1);
        }

        return current;
    }

    private static bool IsInside(string path, string root)
    {
        var full = Path.GetFullPath(path);
        return full.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal);
    }
}
