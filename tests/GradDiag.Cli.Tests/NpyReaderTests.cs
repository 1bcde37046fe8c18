using GradDiag.Cli.Data;

namespace GradDiag.Cli.Tests;

public class NpyReaderTests
{
    private static NpyArray Read(byte[] bytes, string name = "test.npy") => NpyReader.Read(new MemoryStream(bytes), name, bytes.Length);

    private static string Message(byte[] bytes) => FluentActions.Invoking(() => Read(bytes)).Should().Throw<DataFormatException>().Which.Message;

    [Fact]
    public void Float32_ReadsShapeAndValues()
    {
        NpyArray array = Read(NpyBytes.Build("<f4", "(2, 3)", NpyBytes.Floats(1, 2, 3, 4, 5, 6.5f)));

        array.ElementType.Should().Be(NpyElementType.Float32);
        array.Shape.Should().Equal(2L, 3L);
        ((float[])array.Data).Should().Equal(1f, 2f, 3f, 4f, 5f, 6.5f);
    }

    [Fact]
    public void Float64_Reads()
    {
        NpyArray array = Read(NpyBytes.Build("<f8", "(2,)", NpyBytes.Doubles(0.25, -1e300)));

        ((double[])array.Data).Should().Equal(0.25, -1e300);
    }

    [Fact]
    public void Int64_Reads()
    {
        NpyArray array = Read(NpyBytes.Build("<i8", "(3,)", NpyBytes.Longs(7, -2, long.MaxValue)));

        array.ToInt64().Should().Equal(7L, -2L, long.MaxValue);
    }

    [Fact]
    public void Int32_Reads()
    {
        NpyArray array = Read(NpyBytes.Build("<i4", "(2,)", NpyBytes.Ints(-5, 9)));

        ((int[])array.Data).Should().Equal(-5, 9);
    }

    [Fact]
    public void UInt8_ConvertsToSingle()
    {
        NpyArray array = Read(NpyBytes.Build("|u1", "(3,)", [0, 128, 255]));

        array.ToSingle().Should().Equal(0f, 128f, 255f);
    }

    [Fact]
    public void Bool_Reads()
    {
        NpyArray array = Read(NpyBytes.Build("|b1", "(3,)", [1, 0, 1]));

        ((bool[])array.Data).Should().Equal(true, false, true);
    }

    [Fact]
    public void BoolByteTwo_Rejected()
    {
        Message(NpyBytes.Build("|b1", "(2,)", [1, 2])).Should().Contain("element 1").And.Contain("byte value 2");
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void LaterVersions_Read(int version)
    {
        NpyArray array = Read(NpyBytes.Build("<f4", "(2,)", NpyBytes.Floats(1.5f, -2f), version));

        ((float[])array.Data).Should().Equal(1.5f, -2f);
    }

    [Fact]
    public void Scalar_HasEmptyShape()
    {
        NpyArray array = Read(NpyBytes.Build("<f8", "()", NpyBytes.Doubles(3.5)));

        array.Shape.Should().BeEmpty();
        ((double[])array.Data).Should().Equal(3.5);
    }

    [Fact]
    public void FortranOrder_Rejected()
    {
        string message = Message(NpyBytes.Build("<f4", "(2, 2)", NpyBytes.Floats(1, 2, 3, 4), fortranOrder: true));

        message.Should().Contain("test.npy").And.Contain("'fortran_order'");
    }

    [Fact]
    public void BigEndian_Rejected()
    {
        string message = Message(NpyBytes.Build(">f4", "(1,)", NpyBytes.Floats(1)));

        message.Should().Contain("test.npy").And.Contain("'descr'").And.Contain("big-endian");
    }

    [Fact]
    public void UnsupportedType_Rejected()
    {
        Message(NpyBytes.Build("<c8", "(1,)", new byte[8])).Should().Contain("'<c8'");
    }

    [Fact]
    public void Truncated_RejectedBeforeAllocation()
    {
        string message = Message(NpyBytes.Build("<f4", "(1000000000, 1000)", NpyBytes.Floats(1, 2)));

        message.Should().Contain("truncated").And.Contain("(1000000000, 1000)");
    }

    [Fact]
    public void ExtraBytes_Rejected()
    {
        Message(NpyBytes.Build("<f4", "(1,)", NpyBytes.Floats(1, 2))).Should().Contain("extra bytes");
    }

    [Fact]
    public void BadMagic_Rejected()
    {
        byte[] bytes = NpyBytes.Build("<f4", "(1,)", NpyBytes.Floats(1));
        bytes[1] = (byte)'X';

        Message(bytes).Should().Contain("not a .npy file");
    }

    [Fact]
    public void UnknownVersion_Rejected()
    {
        byte[] bytes = NpyBytes.Build("<f4", "(1,)", NpyBytes.Floats(1));
        bytes[6] = 9;

        Message(bytes).Should().Contain("version 9.0");
    }

    [Fact]
    public void HeaderLongerThanFile_Rejected()
    {
        byte[] bytes = NpyBytes.Build("<f4", "(1,)", NpyBytes.Floats(1));
        bytes[8] = 0xFF;
        bytes[9] = 0xFF;

        Message(bytes).Should().Contain("header length 65535");
    }

    [Fact]
    public void MissingShape_NamesField()
    {
        Message(NpyBytes.BuildWithHeader("{'descr': '<f4', 'fortran_order': False, }", NpyBytes.Floats(1))).Should().Contain("'shape'");
    }

    [Fact]
    public void MissingFile_NamesPath()
    {
        FluentActions.Invoking(() => NpyReader.ReadFile("/no/such/file.npy"))
            .Should().Throw<DataFormatException>().WithMessage("*'/no/such/file.npy'*not found*");
    }
}
