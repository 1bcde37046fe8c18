using Microsoft.Win32.SafeHandles;

namespace GradDiag.Writers.Reading;

/// <summary>
/// Sequential access to a file through one reusable buffer filled with positional reads, so that reading a
/// record costs a bounds check instead of stream calls. Callers must check a requested byte count against the
/// file length before asking for it; the buffer grows only to such a checked count.
/// </summary>
internal sealed class FileWindow : IDisposable
{
    private const int DefaultSize = 1024 * 1024;

    private readonly SafeFileHandle _handle;
    private byte[] _buffer;
    private long _start;
    private int _length;

    public FileWindow(string path)
    {
        _handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, FileOptions.SequentialScan);
        Length = RandomAccess.GetLength(_handle);
        _buffer = new byte[(int)Math.Clamp(Length, 16, DefaultSize)];
    }

    /// <summary>Gets the file's length when it was opened; bytes appended later are not read.</summary>
    public long Length { get; }

    /// <summary>Returns the <paramref name="count"/> bytes at <paramref name="offset"/>, which must lie within <see cref="Length"/>.</summary>
    /// <exception cref="EndOfStreamException">The file shrank while it was read.</exception>
    public ReadOnlySpan<byte> Get(long offset, int count)
    {
        if (offset < _start || offset + count > _start + _length)
        {
            Fill(offset, count);
        }

        return _buffer.AsSpan((int)(offset - _start), count);
    }

    public void Dispose() => _handle.Dispose();

    private void Fill(long offset, int count)
    {
        if (_buffer.Length < count)
        {
            _buffer = new byte[count];
        }

        int toRead = (int)Math.Min(_buffer.Length, Length - offset);
        int total = 0;
        while (total < toRead)
        {
            int read = RandomAccess.Read(_handle, _buffer.AsSpan(total, toRead - total), offset + total);
            if (read == 0)
            {
                break;
            }

            total += read;
        }

        if (total < count)
        {
            throw new EndOfStreamException($"The file ended at {offset + total} bytes while {count} bytes at offset {offset} were read; it may have been truncated while it was read.");
        }

        _start = offset;
        _length = total;
    }
}
