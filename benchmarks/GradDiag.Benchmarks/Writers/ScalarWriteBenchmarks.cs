using BenchmarkDotNet.Attributes;
using GradDiag.Writers.Framing;
using GradDiag.Writers.TensorBoard;

namespace GradDiag.Benchmarks.Writers;

/// <summary>
/// Writes scalar records end to end (queue, encoding, CRC-32C, file) and, as the baseline, writes the same framed
/// bytes record by record to a plain buffered <see cref="FileStream"/>.
/// </summary>
/// <remarks>
/// Both sides do the same work inside the measured call: write 200,000 records, flush them to disk once and close
/// the file. Opening the file is left to the iteration setup on both sides, which for the writer also creates the
/// run folder, takes its lock and writes and flushes the file's first record. Deleting the files is left to the
/// iteration cleanup. Because of the per-iteration setup, BenchmarkDotNet runs one call per iteration.
/// </remarks>
[MemoryDiagnoser]
[MinColumn]
public class ScalarWriteBenchmarks : IDisposable
{
    private const int Records = 200_000;
    private const int Tags = 20;

    private readonly string[] _tags = Enumerable.Range(0, Tags).Select(i => $"grad_norm/layer{i}.weight").ToArray();
    private string _folder = string.Empty;
    private byte[] _framed = [];
    private int[] _recordEnds = [];
    private int _run;
    private string _plainPath = string.Empty;
    private FileStream? _plainStream;
    private TensorBoardSummaryWriter? _writer;

    [GlobalSetup]
    public void Setup()
    {
        _folder = Path.Combine(Path.GetTempPath(), "graddiag-bench-write-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_folder);

        // The baseline writes exactly the records the writer produces: same tags, steps, values and wall time form.
        using var buffer = new MemoryStream();
        var ends = new List<int>();
        var payload = new byte[256];
        for (int i = 0; i < Records; i++)
        {
            byte[] tag = System.Text.Encoding.UTF8.GetBytes(_tags[i % Tags]);
            int length = EventEncoder.EncodeSimpleScalar(payload, 1.7e9 + (i * 1e-3), i / Tags, tag, i * 0.5f);
            buffer.Write(RecordFraming.Frame(payload.AsSpan(0, length)));
            ends.Add((int)buffer.Length);
        }

        _framed = buffer.ToArray();
        _recordEnds = ends.ToArray();
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_folder, recursive: true);

    /// <summary>Closes a file or writer left open by an iteration that did not run to its end.</summary>
    public void Dispose()
    {
        _plainStream?.Dispose();
        _writer?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        GC.SuppressFinalize(this);
    }

    [IterationSetup(Target = nameof(PlainFileStream))]
    public void OpenPlainFile()
    {
        _plainPath = Path.Combine(_folder, $"plain-{_run++}.tfevents");
        _plainStream = new FileStream(_plainPath, FileMode.CreateNew, FileAccess.Write, FileShare.Read, 64 * 1024);
    }

    [IterationCleanup(Target = nameof(PlainFileStream))]
    public void DeletePlainFile() => File.Delete(_plainPath);

    [IterationSetup(Target = nameof(TensorBoardWriter))]
    public void OpenWriter()
    {
        var options = new TensorBoardWriterOptions { LogDirectory = _folder, RunName = $"run-{_run++}" };
        _writer = new TensorBoardSummaryWriter(options);
    }

    [IterationCleanup(Target = nameof(TensorBoardWriter))]
    public void DeleteWriterRun() => Directory.Delete(_writer!.RunDirectory, recursive: true);

    [Benchmark(Baseline = true, OperationsPerInvoke = Records)]
    public void PlainFileStream()
    {
        using FileStream stream = _plainStream!;
        int start = 0;
        foreach (int end in _recordEnds)
        {
            stream.Write(_framed, start, end - start);
            start = end;
        }

        stream.Flush(flushToDisk: true);
    }

    [Benchmark(OperationsPerInvoke = Records)]
    public void TensorBoardWriter()
    {
        TensorBoardSummaryWriter writer = _writer!;
        for (int i = 0; i < Records; i++)
        {
            writer.WriteScalar(_tags[i % Tags], i / Tags, i * 0.5);
        }

        // Disposing drains the queue, writes the rest, flushes to disk once and closes the file.
        writer.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }
}
