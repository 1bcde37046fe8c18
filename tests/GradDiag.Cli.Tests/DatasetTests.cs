using GradDiag.Cli.Data;
using GradDiag.Cli.Engines;

namespace GradDiag.Cli.Tests;

public class DatasetTests
{
    private static Dataset Numbered(int rows)
    {
        float[] inputs = Enumerable.Range(0, rows * 2).Select(i => (float)i).ToArray();
        long[] labels = Enumerable.Range(0, rows).Select(i => (long)i).ToArray();
        return new Dataset("test", rows, inputs, [2], labels, []);
    }

    [Fact]
    public void Batches_KeepLastPartial()
    {
        Batch[] batches = Numbered(10).Batches(4, shuffle: false, seed: 0, epoch: 0).ToArray();

        batches.Select(b => b.Count).Should().Equal(4, 4, 2);
        batches[2].InputShape.Should().Equal(2L, 2L);
        ((long[])batches[2].Labels).Should().Equal(8L, 9L);
        ((float[])batches[2].Inputs).Should().Equal(16f, 17f, 18f, 19f);
    }

    [Fact]
    public void Shuffle_SameSeedSameOrder()
    {
        long[] first = Numbered(50).Batches(50, true, 7, 0).Single().Labels.Cast<long>().ToArray();
        long[] second = Numbered(50).Batches(50, true, 7, 0).Single().Labels.Cast<long>().ToArray();

        second.Should().Equal(first);
    }

    [Fact]
    public void Shuffle_EpochsDiffer()
    {
        long[] epoch0 = Numbered(50).Batches(50, true, 7, 0).Single().Labels.Cast<long>().ToArray();
        long[] epoch1 = Numbered(50).Batches(50, true, 7, 1).Single().Labels.Cast<long>().ToArray();

        epoch1.Should().NotEqual(epoch0);
        epoch1.Should().BeEquivalentTo(epoch0);
    }

    [Fact]
    public void Shuffle_KeepsRowsTogether()
    {
        Batch batch = Numbered(20).Batches(20, true, 3, 0).Single();
        long[] labels = (long[])batch.Labels;
        float[] inputs = (float[])batch.Inputs;

        for (int i = 0; i < labels.Length; i++)
        {
            inputs[2 * i].Should().Be(labels[i] * 2f);
        }
    }

    [Fact]
    public void Split_SizesAndDisjoint()
    {
        (Dataset training, Dataset? validation) = Numbered(100).Split(0.2, 5);

        training.Count.Should().Be(80);
        validation!.Count.Should().Be(20);
        ((long[])training.Labels).Intersect((long[])validation.Labels).Should().BeEmpty();
    }

    [Fact]
    public void Split_ZeroKeepsAll()
    {
        (Dataset training, Dataset? validation) = Numbered(10).Split(0, 5);

        training.Count.Should().Be(10);
        validation.Should().BeNull();
    }

    [Fact]
    public void Split_TooSmallRejected()
    {
        FluentActions.Invoking(() => Numbered(3).Split(0.1, 0))
            .Should().Throw<DataFormatException>().WithMessage("*0 validation rows*");
    }

    [Fact]
    public void WithInputShape_Reshapes()
    {
        Dataset reshaped = Numbered(3).WithInputShape([1, 2, 1]);

        reshaped.InputShape.Should().Equal(1L, 2L, 1L);
        reshaped.Batches(3, false, 0, 0).Single().InputShape.Should().Equal(3L, 1L, 2L, 1L);
    }

    [Fact]
    public void WithInputShape_MismatchRejected()
    {
        FluentActions.Invoking(() => Numbered(3).WithInputShape([3]))
            .Should().Throw<DataFormatException>().WithMessage("*2 input values*[3]*");
    }

    [Fact]
    public void ToTrainingBatch_NamesTensors()
    {
        TrainingBatch batch = Numbered(4).Batches(4, false, 0, 0).Single().ToTrainingBatch("input", "labels");

        batch.TryGet("input", out BatchInput input).Should().BeTrue();
        input.Shape.Should().Equal(4L, 2L);
        batch.TryGet("labels", out BatchInput labels).Should().BeTrue();
        labels.ElementType.Should().Be<long>();
    }

    [Fact]
    public void LoadNpz_DigitsDefaults()
    {
        var settings = Settings(TestPaths.DigitsNpz);

        (Dataset data, _) = DatasetLoader.Load(settings);

        data.Count.Should().Be(1797);
        data.InputShape.Should().Equal(64L);
        ((long[])data.Labels)[9].Should().Be(9);
    }

    [Fact]
    public void LoadCsv_SampleShape()
    {
        var settings = Settings(TestPaths.DigitsCsv) with { SampleShape = [1, 8, 8] };

        (Dataset data, _) = DatasetLoader.Load(settings);

        data.InputShape.Should().Equal(1L, 8L, 8L);
        ((float[])data.Inputs)[3].Should().Be(13f);
    }

    [Fact]
    public void LoadCsv_FractionalLabelRejected()
    {
        string path = Path.Combine(TestPaths.NewTempFolder(), "d.csv");
        File.WriteAllText(path, "a,label\n1,0\n2,1.5\n");

        FluentActions.Invoking(() => DatasetLoader.Load(Settings(path)))
            .Should().Throw<DataFormatException>().WithMessage("*line 3, label column 'label' is 1.5*");
    }

    [Fact]
    public void LoadCsv_MseKeepsFloatLabels()
    {
        string path = Path.Combine(TestPaths.NewTempFolder(), "d.csv");
        File.WriteAllText(path, "a,label\n1,0.5\n2,1.5\n");

        (Dataset data, _) = DatasetLoader.Load(Settings(path) with { Loss = LossKind.MeanSquaredError });

        ((float[])data.Labels).Should().Equal(0.5f, 1.5f);
    }

    [Fact]
    public void LoadNpy_RowMismatchRejected()
    {
        string folder = TestPaths.NewTempFolder();
        string inputs = Path.Combine(folder, "x.npy");
        string labels = Path.Combine(folder, "y.npy");
        File.WriteAllBytes(inputs, NpyBytes.Build("<f4", "(3, 1)", NpyBytes.Floats(1, 2, 3)));
        File.WriteAllBytes(labels, NpyBytes.Build("<i8", "(2,)", NpyBytes.Longs(0, 1)));

        FluentActions.Invoking(() => DatasetLoader.Load(Settings(inputs) with { LabelsPath = new FileInfo(labels) }))
            .Should().Throw<DataFormatException>().WithMessage("*x.npy has 3 rows*y.npy has 2*");
    }

    [Fact]
    public void LoadNpy_WithoutLabelsRejected()
    {
        string path = Path.Combine(TestPaths.NewTempFolder(), "x.npy");
        File.WriteAllBytes(path, NpyBytes.Build("<f4", "(1,)", NpyBytes.Floats(1)));

        FluentActions.Invoking(() => DatasetLoader.Load(Settings(path)))
            .Should().Throw<Infrastructure.UsageException>().WithMessage("*--labels*");
    }

    [Fact]
    public void UnknownExtension_Rejected()
    {
        FluentActions.Invoking(() => DatasetLoader.Load(Settings("/tmp/data.parquet")))
            .Should().Throw<DataFormatException>().WithMessage("*'.parquet'*");
    }

    private static TrainSettings Settings(string data) => new()
    {
        ModelPath = new FileInfo(TestPaths.DigitsMlp),
        DataPath = new FileInfo(data),
        LogDirectory = new DirectoryInfo("runs"),
        RunName = "test",
    };
}
