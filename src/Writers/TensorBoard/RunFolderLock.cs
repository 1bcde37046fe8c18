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
/// The operating system releases the lock when the holding process dies. A lock file that exists but can be
/// opened was therefore left by a dead writer, and it is taken over and logged. The holder's process id, host
/// name and start time are also written to <c>.graddiag.lock.owner</c>, because on Linux and macOS the
/// exclusive lock keeps other processes from reading the lock file itself.
/// </remarks>
internal sealed class RunFolderLock : IDisposable
{
    /// <summary>The lock file's name inside the run folder.</summary>
    public const string FileName = ".graddiag.lock";

    /// <summary>The name of the file beside the lock that describes its holder.</summary>
    public const string OwnerFileName = ".graddiag.lock.owner";

    private readonly FileStream _stream;
    private readonly ILogger _logger;
    private readonly string _ownerPath;

    private RunFolderLock(FileStream stream, string path, string ownerPath, ILogger logger)
    {
        _stream = stream;
        Path = path;
        _ownerPath = ownerPath;
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
            string ownerPath = System.IO.Path.Combine(runDirectory, OwnerFileName);
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
            File.WriteAllBytes(ownerPath, bytes);
            return new RunFolderLock(stream, path, ownerPath, logger);
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
        string path = System.IO.Path.Combine(runDirectory, OwnerFileName);
        try
        {
            (string processId, string host) = ParseHolder(File.ReadAllText(path));
            return $"process {processId} on host '{host}'";
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return "another writer";
        }
    }

    /// <summary>Releases the lock and deletes the lock file.</summary>
    public void Dispose()
    {
        try
        {
            File.Delete(_ownerPath);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            Log.LockFileNotDeleted(_logger, _ownerPath, exception);
        }

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
