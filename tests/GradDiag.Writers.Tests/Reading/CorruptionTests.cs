using System.Buffers.Binary;
using System.Diagnostics;
using GradDiag.Writers.Framing;
using GradDiag.Writers.Reading;
using GradDiag.Writers.TensorBoard;

namespace GradDiag.Writers.Tests.Reading;

public sealed class CorruptionTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Truncation_EveryOffset_KeepsWholeRecordsOnly()
    {
        (byte[] file, List<int> boundaries) = SmallFile();
        string path = Path.Combine(_folder.Path, "events.out.tfevents.cut");

        for (int length = 0; length <= file.Length; length++)
        {
            File.WriteAllBytes(path, file.AsSpan(0, length).ToArray());

            TensorBoardRunData data = Read(path, CorruptRecordHandling.Throw);

            int whole = boundaries.Count(end => end <= length);
            int lastEnd = whole == 0 ? 0 : boundaries[whole - 1];
            data.Files.Single().ValidRecords.Should().Be(whole, "cut at {0}", length);
            data.Files.Single().TrailingBytes.Should().Be(length - lastEnd, "cut at {0}", length);
            data.Issues.Should().HaveCount(length == lastEnd ? 0 : 1, "cut at {0}", length);
        }
    }

    [Fact]
    public void RandomCorruption_ManySeeds_NeverThrowsOtherExceptionsOrHangs()
    {
        (byte[] original, _) = SmallFile();
        string path = Path.Combine(_folder.Path, "events.out.tfevents.fuzz");
        var stopwatch = Stopwatch.StartNew();

        for (int seed = 0; seed < 400; seed++)
        {
            var random = new Random(seed);
            byte[] file = original.ToArray();
            int flips = random.Next(1, 12);
            for (int i = 0; i < flips; i++)
            {
                file[random.Next(file.Length)] ^= (byte)(1 << random.Next(8));
            }

            if (random.Next(4) == 0)
            {
                // A plausible header with a valid CRC and an absurd length.
                int at = random.Next(file.Length - 12);
                BinaryPrimitives.WriteUInt64LittleEndian(file.AsSpan(at), (ulong)random.NextInt64(1L << 40, long.MaxValue));
                BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(at + 8), Crc32C.ComputeMasked(file.AsSpan(at, 8)));
            }

            File.WriteAllBytes(path, file);
            foreach (CorruptRecordHandling handling in Enum.GetValues<CorruptRecordHandling>())
            {
                try
                {
                    TensorBoardRunData data = Read(path, handling);
                    data.Files.Single().ValidRecords.Should().BeLessThanOrEqualTo(12, "seed {0}", seed);
                }
                catch (TensorBoardFormatException exception)
                {
                    handling.Should().Be(CorruptRecordHandling.Throw, "seed {0}: {1}", seed, exception.Message);
                    exception.FilePath.Should().Be(path);
                }
            }
        }

        stopwatch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public void AbsurdLength_IsReportedWithoutAllocating()
    {
        byte[] header = new byte[12];
        BinaryPrimitives.WriteUInt64LittleEndian(header, ulong.MaxValue - 3);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(8), Crc32C.ComputeMasked(header.AsSpan(0, 8)));
        string path = Path.Combine(_folder.Path, "events.out.tfevents.huge");
        File.WriteAllBytes(path, [.. header, .. new byte[100]]);

        long before = GC.GetAllocatedBytesForCurrentThread();
        TensorBoardRunData data = Read(path, CorruptRecordHandling.Skip);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        data.Issues[0].Kind.Should().Be(EventFileIssueKind.RecordTooLarge);
        data.Issues[0].Offset.Should().Be(0);
        allocated.Should().BeLessThan(1_000_000);
    }

    [Fact]
    public void LengthCrcMismatch_Skip_ResynchronizesOnNextRecord()
    {
        (byte[] file, List<int> boundaries) = SmallFile();
        file[boundaries[2] + 3] ^= 0x10;
        string path = Path.Combine(_folder.Path, "events.out.tfevents.resync");
        File.WriteAllBytes(path, file);

        TensorBoardRunData data = Read(path, CorruptRecordHandling.Skip);

        data.Issues[0].Kind.Should().Be(EventFileIssueKind.LengthCrcMismatch);
        data.Issues[0].Offset.Should().Be(boundaries[2]);
        data.Issues[1].Kind.Should().Be(EventFileIssueKind.SkippedBytes);
        data.Files.Single().ValidRecords.Should().Be(boundaries.Count - 1);
    }

    [Fact]
    public void NonEventPayload_IsReportedAsInvalidEvent()
    {
        byte[] payload = [0x1B, 0x00]; // wire type 3 (group start) never occurs in an Event
        string path = Path.Combine(_folder.Path, "events.out.tfevents.invalid");
        File.WriteAllBytes(path, RecordFraming.Frame(payload));

        TensorBoardRunData data = Read(path, CorruptRecordHandling.Skip);

        data.Issues.Single().Kind.Should().Be(EventFileIssueKind.InvalidEvent);
        data.Files.Single().CorruptRecords.Should().Be(1);
    }

    [Fact]
    public void EmptyFile_IsValidAndEmpty()
    {
        string path = Path.Combine(_folder.Path, "events.out.tfevents.empty");
        File.WriteAllBytes(path, []);

        TensorBoardRunData data = Read(path, CorruptRecordHandling.Throw);

        data.Records.Should().BeEmpty();
        data.Issues.Should().BeEmpty();
    }

    [Fact]
    public void MissingFolder_ThrowsDirectoryNotFound()
    {
        Action scan = () => TensorBoardLogReader.ScanLogDirectory(Path.Combine(_folder.Path, "nope"));

        scan.Should().Throw<DirectoryNotFoundException>().WithMessage("*does not exist*");
    }

    [Fact]
    public void FolderWithoutEventFiles_ThrowsFormatException()
    {
        File.WriteAllText(Path.Combine(_folder.Path, "notes.txt"), "x");
        File.WriteAllText(Path.Combine(_folder.Path, "events.out.tfevents.1.profile-empty"), string.Empty);

        Action scan = () => TensorBoardLogReader.ScanLogDirectory(_folder.Path);

        scan.Should().Throw<TensorBoardFormatException>().WithMessage("*no event files*2 other files*");
    }

    private TensorBoardRunData Read(string path, CorruptRecordHandling handling) =>
        new TensorBoardLogReader(new TensorBoardReaderOptions { CorruptRecords = handling })
            .ReadRun(new TensorBoardRun("r", _folder.Path, [path]));

    /// <summary>Builds a file of 12 records of mixed kinds and returns the end offset of each record.</summary>
    private static (byte[] File, List<int> Boundaries) SmallFile()
    {
        var bytes = new List<byte>();
        var boundaries = new List<int>();
        void Add(Google.Protobuf.IMessage message)
        {
            bytes.AddRange(RecordFraming.Frame(Google.Protobuf.MessageExtensions.ToByteArray(message)));
            boundaries.Add(bytes.Count);
        }

        Add(EventEncoder.FileHeader(1.7e9, "graddiag"));
        for (int step = 0; step < 8; step++)
        {
            Add(EventEncoder.SimpleScalar(1.7e9 + step, step, "loss", step));
        }

        Add(EventEncoder.Text(1.7e9, 8, "notes", "hello"));
        Add(EventEncoder.TensorScalar(1.7e9, 8, "acc", 0.5f));
        Add(EventEncoder.Hyperparameters(1.7e9, new Dictionary<string, object> { ["lr"] = 0.1 }));
        return (bytes.ToArray(), boundaries);
    }
}
