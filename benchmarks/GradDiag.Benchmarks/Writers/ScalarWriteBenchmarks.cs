using BenchmarkDotNet.Attributes;
using GradDiag.Writers.Framing;
using GradDiag.Writers.TensorBoard;

namespace GradDiag.Benchmarks.Writers;

/// <summary>
/// Writes scalar records end to end (queue, encoding, CRC-32C, file) and, as the baseline, writes the same framed
/// bytes record by record to a plain buffered <see cref="FileStream"/>.
/// </summary>
[MemoryDiagnoser]
public class ScalarWriteBenchmarks
{
    private const int Records = 200_000;
    private const int Tags = 20;

    private readonly string[] _tags = Enumerable.Range(0, Tags).Select(i => $"grad_norm/layer{i}.weight").ToArray();
    private string _folder = string.Empty;
    private byte[] _framed = [];
    private int[] _recordEnds = [];
    private int _run;

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

    [Benchmark(Baseline = true, OperationsPerInvoke = Records)]
    public void PlainFileStream()
    {
        string path = Path.Combine(_folder, $"plain-{_run++}.tfevents");
        using (var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read, 64 * 1024))
        {
            int start = 0;
            foreach (int end in _recordEnds)
            {
                stream.Write(_framed, start, end - start);
                start = end;
            }

            stream.Flush(flushToDisk: true);
        }

        File.Delete(path);
    }

    [Benchmark(OperationsPerInvoke = Records)]
    public void TensorBoardWriter()
    {
        var options = new TensorBoardWriterOptions { LogDirectory = _folder, RunName = $"run-{_run++}" };
        string file;
        var writer = new TensorBoardSummaryWriter(options);
        file = writer.FilePath;
        for (int i = 0; i < Records; i++)
        {
            writer.WriteScalar(_tags[i % Tags], i / Tags, i * 0.5);
        }

        writer.DisposeAsync().AsTask().GetAwaiter().GetResult();
        Directory.Delete(Path.GetDirectoryName(file)!, recursive: true);
    }
}
