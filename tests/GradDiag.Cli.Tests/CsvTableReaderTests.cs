using GradDiag.Cli.Data;

namespace GradDiag.Cli.Tests;

public class CsvTableReaderTests
{
    private static string WriteCsv(string content)
    {
        string path = Path.Combine(TestPaths.NewTempFolder(), "data.csv");
        File.WriteAllText(path, content);
        return path;
    }

    [Fact]
    public void Digits_RowsAndColumns()
    {
        CsvTable table = CsvTableReader.Read(TestPaths.DigitsCsv, [], "label");

        table.RowCount.Should().Be(1797);
        table.InputColumns.Should().HaveCount(64);
        table.InputColumns[0].Should().Be("p0");
        table.InputColumns[63].Should().Be("p63");
    }

    [Fact]
    public void Digits_FirstRowValues()
    {
        CsvTable table = CsvTableReader.Read(TestPaths.DigitsCsv, [], "label");

        table.Inputs[..8].Should().Equal(0f, 0f, 5f, 13f, 9f, 1f, 0f, 0f);
        table.Inputs[64 + 3].Should().Be(12f);
        table.Labels[..10].Should().Equal(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
        table.NanCounts.Should().BeEmpty();
    }

    [Fact]
    public void SelectedColumns_KeepOrder()
    {
        CsvTable table = CsvTableReader.Read(TestPaths.DigitsCsv, ["p3", "p2"], "label");

        table.InputColumns.Should().Equal("p3", "p2");
        table.Inputs[..2].Should().Equal(13f, 5f);
    }

    [Fact]
    public void MissingLabelColumn_ListsColumns()
    {
        FluentActions.Invoking(() => CsvTableReader.Read(TestPaths.DigitsCsv, [], "target"))
            .Should().Throw<DataFormatException>().WithMessage("*label column 'target' was not found*p0, p1*");
    }

    [Fact]
    public void MissingInputColumn_Named()
    {
        FluentActions.Invoking(() => CsvTableReader.Read(TestPaths.DigitsCsv, ["p0", "p99"], "label"))
            .Should().Throw<DataFormatException>().WithMessage("*input column 'p99' was not found*");
    }

    [Fact]
    public void BadValue_NamesLineAndColumn()
    {
        string path = WriteCsv("a,b,label\n1,2,0\n3,x7,1\n");

        FluentActions.Invoking(() => CsvTableReader.Read(path, [], "label"))
            .Should().Throw<DataFormatException>().WithMessage("*line 3, column 'b' (column 2)*'x7'*");
    }

    [Fact]
    public void EmptyValue_Rejected()
    {
        string path = WriteCsv("a,b,label\n1,,0\n");

        FluentActions.Invoking(() => CsvTableReader.Read(path, [], "label"))
            .Should().Throw<DataFormatException>().WithMessage("*line 2, column 'b'*empty value*");
    }

    [Fact]
    public void NaN_AllowedAndCounted()
    {
        string path = WriteCsv("a,b,label\nNaN,2,0\nnan,NaN,1\n4,5,1\n");

        CsvTable table = CsvTableReader.Read(path, [], "label");

        float.IsNaN(table.Inputs[0]).Should().BeTrue();
        table.NanCounts["a"].Should().Be(2);
        table.NanCounts["b"].Should().Be(1);
    }

    [Fact]
    public void NaNLabel_Rejected()
    {
        string path = WriteCsv("a,label\n1,0\n2,NaN\n");

        FluentActions.Invoking(() => CsvTableReader.Read(path, [], "label"))
            .Should().Throw<DataFormatException>().WithMessage("*line 3*'label' is NaN*");
    }

    [Fact]
    public void WrongFieldCount_NamesLine()
    {
        string path = WriteCsv("a,b,label\n1,2,0\n1,2\n");

        FluentActions.Invoking(() => CsvTableReader.Read(path, [], "label"))
            .Should().Throw<DataFormatException>().WithMessage("*line 3 has 2 fields*3 columns*");
    }

    [Fact]
    public void InvariantCulture_DotDecimal()
    {
        string path = WriteCsv("a,label\n\"1.5\",0\n-2.25e1,1\n");

        CsvTable table = CsvTableReader.Read(path, [], "label");

        table.Inputs.Should().Equal(1.5f, -22.5f);
    }

    [Fact]
    public void HeaderOnly_Rejected()
    {
        string path = WriteCsv("a,label\n");

        FluentActions.Invoking(() => CsvTableReader.Read(path, [], "label"))
            .Should().Throw<DataFormatException>().WithMessage("*no data rows*");
    }
}
