using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace GradDiag.Cli.Data;

/// <summary>
/// Reads NumPy .npy files (format versions 1.0, 2.0 and 3.0): little-endian float32, float64, int64, int32, uint8
/// and bool arrays in C order. The header's size is checked against the bytes that follow before any allocation.
/// </summary>
internal static class NpyReader
{
    private const int MaxHeaderLength = 1 << 20;
    private static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>Reads a .npy file.</summary>
    /// <exception cref="DataFormatException">The file is missing, truncated or not a supported .npy array.</exception>
    public static NpyArray ReadFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
        {
            throw new DataFormatException($"Data file '{path}' was not found.");
        }

        using FileStream stream = File.OpenRead(path);
        return Read(stream, path, stream.Length);
    }

    /// <summary>Reads one .npy array from <paramref name="stream"/>, which contains exactly <paramref name="length"/> bytes of it.</summary>
    /// <param name="stream">The stream, positioned at the magic string.</param>
    /// <param name="source">The name used in messages.</param>
    /// <param name="length">The number of bytes of the .npy data in the stream, header included.</param>
    /// <exception cref="DataFormatException">The data is truncated, too long or not a supported .npy array.</exception>
    public static NpyArray Read(Stream stream, string source, long length)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(source);

        Span<byte> prefix = stackalloc byte[12];
        ReadExactly(stream, prefix[..8], source, "the magic string and version");
        if (!prefix[..6].SequenceEqual(Magic))
        {
            throw new DataFormatException($"{source}: not a .npy file (it does not start with the magic string \\x93NUMPY).");
        }

        int major = prefix[6];
        int headerLengthSize = major switch
        {
            1 => 2,
            2 or 3 => 4,
            _ => throw new DataFormatException($"{source}: .npy format version {major}.{prefix[7]} is not supported; versions 1.0, 2.0 and 3.0 are."),
        };

        ReadExactly(stream, prefix.Slice(8, headerLengthSize), source, "the header length");
        long headerLength = headerLengthSize == 2
            ? BinaryPrimitives.ReadUInt16LittleEndian(prefix.Slice(8, 2))
            : BinaryPrimitives.ReadUInt32LittleEndian(prefix.Slice(8, 4));
        long dataOffset = 8 + headerLengthSize + headerLength;
        if (headerLength > MaxHeaderLength || dataOffset > length)
        {
            throw new DataFormatException(
                string.Create(CultureInfo.InvariantCulture, $"{source}: header length {headerLength} bytes does not fit in the {length}-byte file."));
        }

        var headerBytes = new byte[headerLength];
        ReadExactly(stream, headerBytes, source, "the header");
        string header = major == 3 ? Encoding.UTF8.GetString(headerBytes) : Encoding.Latin1.GetString(headerBytes);
        NpyHeader parsed = NpyHeader.Parse(header, source);

        long count = 1;
        foreach (long dimension in parsed.Shape)
        {
            count = dimension == 0 ? 0 : (count > long.MaxValue / dimension ? long.MaxValue : count * dimension);
        }

        int itemSize = ItemSize(parsed.ElementType);
        long available = length - dataOffset;
        if (count > long.MaxValue / itemSize || count * itemSize != available)
        {
            string expected = count > long.MaxValue / itemSize ? "more than 2^63" : (count * itemSize).ToString(CultureInfo.InvariantCulture);
            string problem = count * itemSize > available ? "is truncated" : "has extra bytes after the data";
            throw new DataFormatException(
                string.Create(CultureInfo.InvariantCulture, $"{source}: {problem}: the header's shape {parsed.ShapeText} of '{parsed.Descr}' needs {expected} bytes of data, but {available} follow the header."));
        }

        if (count > Array.MaxLength)
        {
            throw new DataFormatException(
                string.Create(CultureInfo.InvariantCulture, $"{source}: shape {parsed.ShapeText} has {count} elements, more than one .NET array holds ({Array.MaxLength})."));
        }

        Array data = ReadElements(stream, parsed.ElementType, (int)count, source);
        return new NpyArray(source, parsed.ElementType, parsed.Shape, data);
    }

    /// <summary>Returns the size in bytes of one element.</summary>
    public static int ItemSize(NpyElementType type) => type switch
    {
        NpyElementType.Float32 or NpyElementType.Int32 => 4,
        NpyElementType.Float64 or NpyElementType.Int64 => 8,
        _ => 1,
    };

    private static Array ReadElements(Stream stream, NpyElementType type, int count, string source)
    {
        // NOTE: the elements are copied as they are stored, little-endian, which assumes a little-endian host (x64, Arm64).
        switch (type)
        {
            case NpyElementType.Float32:
                return Fill(stream, new float[count], source);
            case NpyElementType.Float64:
                return Fill(stream, new double[count], source);
            case NpyElementType.Int64:
                return Fill(stream, new long[count], source);
            case NpyElementType.Int32:
                return Fill(stream, new int[count], source);
            case NpyElementType.UInt8:
                return Fill(stream, new byte[count], source);
            default:
                byte[] raw = Fill(stream, new byte[count], source);
                var values = new bool[count];
                for (int i = 0; i < count; i++)
                {
                    values[i] = raw[i] switch
                    {
                        0 => false,
                        1 => true,
                        _ => throw new DataFormatException(
                            string.Create(CultureInfo.InvariantCulture, $"{source}: bool element {i} has byte value {raw[i]}; NumPy booleans are 0 or 1.")),
                    };
                }

                return values;
        }
    }

    private static T[] Fill<T>(Stream stream, T[] values, string source)
        where T : struct
    {
        ReadExactly(stream, MemoryMarshal.AsBytes(values.AsSpan()), source, "the data");
        return values;
    }

    private static void ReadExactly(Stream stream, Span<byte> buffer, string source, string what)
    {
        int total = 0;
        while (total < buffer.Length)
        {
            int read = stream.Read(buffer[total..]);
            if (read == 0)
            {
                throw new DataFormatException(
                    string.Create(CultureInfo.InvariantCulture, $"{source}: the file ends inside {what} ({total} of {buffer.Length} bytes read)."));
            }

            total += read;
        }
    }
}
