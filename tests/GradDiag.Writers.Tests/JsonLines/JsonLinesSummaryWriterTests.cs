using System.Text.Json;
using GradDiag.Writers.JsonLines;

namespace GradDiag.Writers.Tests.JsonLines;

public sealed class JsonLinesSummaryWriterTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Write_EveryRecordType_OneObjectPerLine()
    {
        string path = Path.Combine(_folder.Path, "sub", "run.jsonl");
        await using (var writer = new JsonLinesSummaryWriter(new JsonLinesWriterOptions { FilePath = path }))
        {
            writer.WriteHyperparameters(new Dictionary<string, object> { ["lr"] = 0.01, ["opt"] = "sgd" });
            writer.WriteScalar("loss", 1, 0.5);
            writer.WriteScalar("loss", 2, double.NaN);
            writer.WriteScalar("loss", 3, double.PositiveInfinity);
            writer.WriteScalar("loss", 4, double.NegativeInfinity);
            writer.WriteHistogram("grad_hist/fc1", 4, new HistogramData([0, 1], [2, 3]) { BucketCount = 2, Min = -0.5, Max = 1, Count = 5, Sum = 1.5, SumOfSquares = 2, NonFiniteCount = 1 });
            writer.WriteText("graddiag/findings", 4, "none\n\"quoted\"");
        }

        string[] lines = await File.ReadAllLinesAsync(path);
        JsonElement[] objects = lines.Select(line => JsonDocument.Parse(line).RootElement).ToArray();

        objects.Should().HaveCount(8);
        objects[0].GetProperty("type").GetString().Should().Be("header");
        objects[0].GetProperty("schema").GetString().Should().Be("graddiag.summary.v1");
        objects[1].GetProperty("type").GetString().Should().Be("hparams");
        objects[1].GetProperty("hparams").GetProperty("lr").GetDouble().Should().Be(0.01);
        objects[2].GetProperty("tag").GetString().Should().Be("loss");
        objects[2].GetProperty("step").GetInt64().Should().Be(1);
        objects[2].GetProperty("value").GetDouble().Should().Be(0.5);
        objects[3].GetProperty("value").GetString().Should().Be("NaN");
        objects[4].GetProperty("value").GetString().Should().Be("Infinity");
        objects[5].GetProperty("value").GetString().Should().Be("-Infinity");
        objects[6].GetProperty("bucket_limits").EnumerateArray().Select(e => e.GetDouble()).Should().Equal(0, 1);
        objects[6].GetProperty("bucket_counts").EnumerateArray().Select(e => e.GetDouble()).Should().Equal(2, 3);
        objects[6].GetProperty("nonfinite_count").GetInt64().Should().Be(1);
        objects[6].GetProperty("sum_squares").GetDouble().Should().Be(2);
        objects[7].GetProperty("text").GetString().Should().Be("none\n\"quoted\"");
        objects.Skip(1).Should().OnlyContain(o => o.GetProperty("wall_time").GetDouble() > 1.6e9);
    }

    [Fact]
    public async Task Reopen_AppendsToTheSameFile()
    {
        string path = Path.Combine(_folder.Path, "run.jsonl");
        for (int i = 0; i < 2; i++)
        {
            await using var writer = new JsonLinesSummaryWriter(new JsonLinesWriterOptions { FilePath = path });
            writer.WriteScalar("loss", i, i);
        }

        (await File.ReadAllLinesAsync(path)).Should().HaveCount(4);
    }

    [Fact]
    public async Task UnwritableFile_IsReportedNotThrown()
    {
        string blocker = Path.Combine(_folder.Path, "file");
        await File.WriteAllTextAsync(blocker, "x");

        await using var writer = new JsonLinesSummaryWriter(new JsonLinesWriterOptions { FilePath = Path.Combine(blocker, "run.jsonl") });
        writer.WriteScalar("loss", 0, 1);

        writer.Fault.Should().BeAssignableTo<IOException>();
    }
}
