using System.IO.Compression;

namespace GradDiag.Cli.Data;

/// <summary>A NumPy .npz archive: a zip file of .npy arrays, stored or deflated. Arrays are read on request.</summary>
internal sealed class NpzArchive : IDisposable
{
    private readonly ZipArchive _zip;
    private readonly string _path;

    private NpzArchive(string path, ZipArchive zip)
    {
        _path = path;
        _zip = zip;
        Names = zip.Entries
            .Where(e => e.FullName.EndsWith(".npy", StringComparison.Ordinal))
            .Select(e => e.FullName[..^4])
            .ToList();
    }

    /// <summary>Gets the array names, without the .npy extension, in archive order.</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>Opens an archive.</summary>
    /// <exception cref="DataFormatException">The file is missing or not a zip archive.</exception>
    public static NpzArchive Open(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
        {
            throw new DataFormatException($"Data file '{path}' was not found.");
        }

        FileStream stream = File.OpenRead(path);
        try
        {
            return new NpzArchive(path, new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: false));
        }
        catch (InvalidDataException exception)
        {
            stream.Dispose();
            throw new DataFormatException($"{path}: not a valid .npz (zip) archive: {exception.Message}", exception);
        }
    }

    /// <summary>Reads the named array.</summary>
    /// <exception cref="DataFormatException">The archive has no such array, or the entry is damaged or not a supported .npy array.</exception>
    public NpyArray Read(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        ZipArchiveEntry entry = _zip.GetEntry(name + ".npy") ?? _zip.GetEntry(name)
            ?? throw new DataFormatException($"{_path}: has no array '{name}'; its arrays are {string.Join(", ", Names)}.");
        string source = $"{_path}:{entry.FullName}";
        try
        {
            // The entry's uncompressed length comes from the zip directory; NpyReader checks the .npy header
            // against it before it allocates, and reads no more than that many bytes.
            using Stream stream = entry.Open();
            return NpyReader.Read(stream, source, entry.Length);
        }
        catch (InvalidDataException exception)
        {
            throw new DataFormatException($"{source}: the zip entry cannot be read: {exception.Message}", exception);
        }
    }

    /// <inheritdoc/>
    public void Dispose() => _zip.Dispose();
}
