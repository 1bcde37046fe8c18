using System.Globalization;
using System.Text;
using GradDiag.Writers.Logging;
using Microsoft.Extensions.Logging;

namespace GradDiag.Writers.TensorBoard;

/// <summary>
/// An exclusive lock on a run folder: the file <c>.graddiag.lock</c>, held open with <see cref="FileShare.None"/>
/// for the writer's lifetime and deleted when the writer is disposed.
/// </summary>
/// <remarks>
/// The operating system releases the lock when the holding process dies, so a lock file that exists but can be
/// opened was left by a dead writer; it is taken over and logged. The file stores the holder's process id, host
/// name and start time for error messages.
/// </remarks>
internal sealed class RunFolderLock : IDisposable
{
    /// <summary>The lock file's name inside the run folder.</summary>
    public const string FileName = ".graddiag.lock";

    private readonly FileStream _stream;
    private readonly ILogger _logger;

    private RunFolderLock(FileStream stream, string path, ILogger logger)
    {
        _stream = stream;
        Path = path;
        _logger = logger;
    }

    /// <summary>Gets the lock file's full path.</summary>
    public string Path { get; }

    /// <summary>Takes the lock of <paramref name="runDirectory"/>, or returns null when a live writer holds it.</summary>
    /// <exception cref="IOException">The lock file cannot be created for a reason other than another holder.</exception>
    public static RunFolderLock? TryAcquire(string runDirectory, ILogger logger, TimeProvider timeProvider)
    {
        string path = System.IO.Path.Combine(runDirectory, FileName);
        bool existed = File.Exists(path);
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None);
        }
        catch (IOException) when (File.Exists(path) && IsSharingViolation(path))
        {
            return null;
        }

        try
        {
            if (existed && stream.Length > 0)
            {
                (string processId, string host) = ParseHolder(ReadAll(stream));
                Log.StaleLockTaken(logger, path, processId, host);
            }

            string content = string.Create(
                CultureInfo.InvariantCulture,
                $"pid={Environment.ProcessId}\nhost={Environment.MachineName}\nstarted={timeProvider.GetUtcNow():O}\n");
            byte[] bytes = Encoding.UTF8.GetBytes(content);
            stream.SetLength(0);
            stream.Position = 0;
            stream.Write(bytes);
            stream.Flush(flushToDisk: true);
            return new RunFolderLock(stream, path, logger);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>Describes the writer that holds the lock at <paramref name="runDirectory"/>, for error messages.</summary>
    public static string DescribeHolder(string runDirectory)
    {
        string path = System.IO.Path.Combine(runDirectory, FileName);
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            (string processId, string host) = ParseHolder(ReadAll(stream));
            return $"process {processId} on host '{host}'";
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            // The holder's exclusive lock also blocks reading on some platforms.
            return "another writer";
        }
    }

    /// <summary>Releases the lock and deletes the lock file.</summary>
    public void Dispose()
    {
        _stream.Dispose();
        try
        {
            File.Delete(Path);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            Log.LockFileNotDeleted(_logger, Path, exception);
        }
    }

    private static bool IsSharingViolation(string path)
    {
        try
        {
            using var probe = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
            return false;
        }
        catch (IOException)
        {
            return true;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static string ReadAll(FileStream stream)
    {
        stream.Position = 0;
        var buffer = new byte[Math.Min(stream.Length, 4096)];
        stream.ReadExactly(buffer);
        return Encoding.UTF8.GetString(buffer);
    }

    private static (string ProcessId, string Host) ParseHolder(string content)
    {
        string processId = "unknown";
        string host = "unknown";
        foreach (string line in content.Split('\n'))
        {
            if (line.StartsWith("pid=", StringComparison.Ordinal))
            {
                processId = line[4..].Trim();
            }
            else if (line.StartsWith("host=", StringComparison.Ordinal))
            {
                host = line[5..].Trim();
            }
        }

        return (processId, host);
    }
}
