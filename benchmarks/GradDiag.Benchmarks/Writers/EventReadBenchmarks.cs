using BenchmarkDotNet.Attributes;
using GradDiag.Writers.Framing;
using GradDiag.Writers.Protocol;
using GradDiag.Writers.Reading;
using GradDiag.Writers.TensorBoard;

namespace GradDiag.Benchmarks.Writers;

/// <summary>
/// Reads one event file of scalar records three ways. The first reads the raw bytes only. The second decodes every
/// record with the protobuf parser and checks nothing. The third is the tolerant reader, which checks lengths and
/// both CRCs, decodes, and builds ordered records per tag.
/// </summary>
[MemoryDiagnoser]
public class EventReadBenchmarks
{
    private const int Records = 200_000;

    private string _folder = string.Empty;
    private string _file = string.Empty;
    private TensorBoardRun _run = null!;
    private readonly TensorBoardLogReader _reader = new();

    [GlobalSetup]
    public void Setup()
    {
        _folder = Path.Combine(Path.GetTempPath(), "graddiag-bench-read-" + Guid.NewGuid().ToString("N"));
        var options = new TensorBoardWriterOptions { LogDirectory = _folder, RunName = "run" };
        var writer = new TensorBoardSummaryWriter(options);
        for (int i = 0; i < Records; i++)
        {
            writer.WriteScalar($"grad_norm/layer{i % 20}.weight", i / 20, i * 0.5);
        }

        writer.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _file = writer.FilePath;
        _run = TensorBoardLogReader.ScanLogDirectory(_folder).Runs.Single();
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_folder, recursive: true);

    [Benchmark(OperationsPerInvoke = Records)]
    public long RawSequentialRead()
    {
        byte[] buffer = new byte[64 * 1024];
        long total = 0;
        using var stream = new FileStream(_file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.SequentialScan);
        int read;
        while ((read = stream.Read(buffer)) > 0)
        {
            total += read;
        }

        return total;
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Records)]
    public double SequentialDecodeWithoutChecks()
    {
        byte[] bytes = File.ReadAllBytes(_file);
        double sum = 0;
        int offset = 0;
        while (offset + RecordFraming.HeaderSize <= bytes.Length)
        {
            int length = (int)BitConverter.ToUInt64(bytes, offset);
            Event message = Event.Parser.ParseFrom(bytes.AsSpan(offset + RecordFraming.HeaderSize, length));
            if (message.Summary is { } summary)
            {
                sum += summary.Value[0].SimpleValue;
            }

            offset += length + RecordFraming.Overhead;
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = Records)]
    public int TolerantReader() => _reader.ReadRun(_run).Records.Count;
}
