using System.IO.Compression;
using GradDiag.Cli.Data;

namespace GradDiag.Cli.Tests;

public class NpzArchiveTests
{
    [Fact]
    public void Digits_HasBothArrays()
    {
        using NpzArchive archive = NpzArchive.Open(TestPaths.DigitsNpz);

        archive.Names.Should().Equal("x", "y");
    }

    [Fact]
    public void DigitsInputs_KnownValues()
    {
        using NpzArchive archive = NpzArchive.Open(TestPaths.DigitsNpz);

        NpyArray x = archive.Read("x");

        x.ElementType.Should().Be(NpyElementType.Float32);
        x.Shape.Should().Equal(1797L, 64L);
        float[] values = (float[])x.Data;
        values[2].Should().Be(5f / 16f);
        values[3].Should().Be(13f / 16f);
        values[64 + 3].Should().Be(12f / 16f);
    }

    [Fact]
    public void DigitsLabels_KnownValues()
    {
        using NpzArchive archive = NpzArchive.Open(TestPaths.DigitsNpz);

        NpyArray y = archive.Read("y");

        y.ElementType.Should().Be(NpyElementType.Int64);
        y.Shape.Should().Equal(1797L);
        ((long[])y.Data)[..10].Should().Equal(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L);
        ((long[])y.Data).Count(label => label == 0).Should().Be(178);
    }

    [Fact]
    public void Deflated_Reads()
    {
        string path = Path.Combine(TestPaths.NewTempFolder(), "deflated.npz");
        using (ZipArchive zip = ZipFile.Open(path, ZipArchiveMode.Create))
        {
            ZipArchiveEntry entry = zip.CreateEntry("a.npy", CompressionLevel.Optimal);
            using Stream stream = entry.Open();
            stream.Write(NpyBytes.Build("<f8", "(3,)", NpyBytes.Doubles(1, 2, 3)));
        }

        using NpzArchive archive = NpzArchive.Open(path);

        ((double[])archive.Read("a").Data).Should().Equal(1.0, 2.0, 3.0);
    }

    [Fact]
    public void MissingArray_ListsNames()
    {
        using NpzArchive archive = NpzArchive.Open(TestPaths.DigitsNpz);

        FluentActions.Invoking(() => archive.Read("images"))
            .Should().Throw<DataFormatException>().WithMessage("*no array 'images'*x, y*");
    }

    [Fact]
    public void NotZip_Rejected()
    {
        string path = Path.Combine(TestPaths.NewTempFolder(), "bad.npz");
        File.WriteAllText(path, "not a zip file at all");

        FluentActions.Invoking(() => NpzArchive.Open(path))
            .Should().Throw<DataFormatException>().WithMessage($"*{path}*not a valid .npz*");
    }
}
