using System.Buffers.Binary;
using Google.Protobuf;
using GradDiag.OrtBackend.Graphs;
using GradDiag.OrtBackend.Models;
using GradDiag.OrtBackend.Onnx;
using GradDiag.OrtBackend.Tests.Support;

namespace GradDiag.OrtBackend.Tests.Models;

public sealed class ExternalDataTests : IDisposable
{
    private readonly TempDirectory root = new();
    private readonly string modelFolder;

    public ExternalDataTests()
    {
        modelFolder = Path.Combine(root.Path, "model");
        Directory.CreateDirectory(Path.Combine(modelFolder, "weights"));
        File.WriteAllBytes(Path.Combine(modelFolder, "weights", "w.bin"), DoubleBytes(100, 1.0, 2.0, 3.0));
        File.WriteAllBytes(Path.Combine(root.Path, "outside.bin"), DoubleBytes(0, 7.0, 8.0, 9.0));
    }

    public void Dispose() => root.Dispose();

    private static byte[] DoubleBytes(int padding, params double[] values)
    {
        var bytes = new byte[padding + (values.Length * 8)];
        for (var i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteDoubleLittleEndian(bytes.AsSpan(padding + (i * 8)), values[i]);
        }

        return bytes;
    }

    private string WriteModel(params (string Key, string Value)[] entries)
    {
        var g = new GraphBuilder();
        var tensor = new TensorProto { Name = "w", DataType = DataTypes.Double, DataLocation = TensorProto.Types.DataLocation.External };
        tensor.Dims.Add(3);
        foreach (var (key, value) in entries)
        {
            tensor.ExternalData.Add(new StringStringEntryProto { Key = key, Value = value });
        }

        g.Graph.Initializer.Add(tensor);
        var y = g.Node("Neg", ["w"]);
        g.Output(y, [3]);
        var path = Path.Combine(modelFolder, "model.onnx");
        File.WriteAllBytes(path, g.Model.ToByteArray());
        return path;
    }

    private OnnxModelException LoadFails(params (string Key, string Value)[] entries)
    {
        var path = WriteModel(entries);
        var act = () => OnnxModel.Load(path);
        return act.Should().Throw<OnnxModelException>().Which;
    }

    [Fact]
    public void Load_reads_offset_and_length()
    {
        var path = WriteModel(("location", "weights/w.bin"), ("offset", "100"), ("length", "24"));

        var model = OnnxModel.Load(path);

        var tensor = model.Proto.Graph.Initializer[0];
        tensor.DataLocation.Should().Be(TensorProto.Types.DataLocation.Default);
        tensor.ExternalData.Should().BeEmpty();
        Tensors.ToDoubles(tensor).Should().Equal(1.0, 2.0, 3.0);
    }

    [Fact]
    public void Load_accepts_dot_components()
    {
        var path = WriteModel(("location", "./weights/./w.bin"), ("offset", "100"));

        var model = OnnxModel.Load(path);

        Tensors.ToDoubles(model.Proto.Graph.Initializer[0]).Should().Equal(1.0, 2.0, 3.0);
    }

    [Fact]
    public void Load_follows_symlinked_folder_inside()
    {
        Directory.CreateSymbolicLink(Path.Combine(modelFolder, "alias"), Path.Combine(modelFolder, "weights"));
        var path = WriteModel(("location", "alias/w.bin"), ("offset", "100"));

        var model = OnnxModel.Load(path);

        Tensors.ToDoubles(model.Proto.Graph.Initializer[0]).Should().Equal(1.0, 2.0, 3.0);
    }

    [Theory]
    [InlineData("../outside.bin", "'..' component")]
    [InlineData("weights/../../outside.bin", "'..' component")]
    [InlineData("weights/../weights/w.bin", "'..' component")]
    [InlineData("/etc/passwd", "Absolute")]
    [InlineData("\\\\server\\share\\w.bin", "Absolute")]
    [InlineData("C:\\weights\\w.bin", "Absolute")]
    [InlineData("*/_ORT_MEM_ADDR_/*", "in-memory address")]
    [InlineData("", "missing or empty")]
    [InlineData("missing.bin", "not found")]
    public void Load_rejects_location(string location, string reason)
    {
        var error = LoadFails(("location", location));

        error.Message.Should().Contain(reason);
        error.Field.Should().Be("graph.initializer 'w'.external_data.location");
        error.Source.Should().EndWith("model.onnx");
    }

    [Fact]
    public void Load_rejects_symlinked_folder_outside()
    {
        Directory.CreateSymbolicLink(Path.Combine(modelFolder, "escape"), root.Path);

        var error = LoadFails(("location", "escape/outside.bin"));

        error.Message.Should().Contain("symbolic link").And.Contain("outside the model's folder");
    }

    [Fact]
    public void Load_rejects_symlinked_file()
    {
        File.CreateSymbolicLink(Path.Combine(modelFolder, "link.bin"), Path.Combine(modelFolder, "weights", "w.bin"));

        var error = LoadFails(("location", "link.bin"), ("offset", "100"));

        error.Message.Should().Contain("is a symbolic link");
    }

    [Theory]
    [InlineData("basepath", "/tmp", "Unknown external data key")]
    [InlineData("offset", "-1", "not a non-negative decimal integer")]
    [InlineData("offset", "1e3", "not a non-negative decimal integer")]
    [InlineData("offset", "99999999999999999999", "not a non-negative decimal integer")]
    [InlineData("length", "99999999999999999999", "not a non-negative decimal integer")]
    [InlineData("length", "16", "length does not match")]
    [InlineData("offset", "110", "beyond the end")]
    [InlineData("offset", "9223372036854775807", "beyond the end")]
    public void Load_rejects_entry(string key, string value, string reason)
    {
        var error = LoadFails(("location", "weights/w.bin"), (key, value));

        error.Message.Should().Contain(reason);
    }

    [Fact]
    public void Load_rejects_duplicate_key()
    {
        var error = LoadFails(("location", "weights/w.bin"), ("location", "weights/w.bin"));

        error.Message.Should().Contain("appears more than once");
    }

    [Fact]
    public void Load_rejects_huge_declared_size_before_reading()
    {
        var g = new GraphBuilder();
        var tensor = new TensorProto { Name = "w", DataType = DataTypes.Double, DataLocation = TensorProto.Types.DataLocation.External };
        tensor.Dims.Add(1L << 40);
        tensor.ExternalData.Add(new StringStringEntryProto { Key = "location", Value = "weights/w.bin" });
        g.Graph.Initializer.Add(tensor);
        g.Output("w", [1L << 40]);
        var path = Path.Combine(modelFolder, "huge.onnx");
        File.WriteAllBytes(path, g.Model.ToByteArray());

        var act = () => OnnxModel.Load(path);

        act.Should().Throw<OnnxModelException>().WithMessage("*larger than one .NET array*");
    }

    [Fact]
    public void Load_bytes_without_folder_rejects_external()
    {
        var path = WriteModel(("location", "weights/w.bin"), ("offset", "100"));

        var act = () => OnnxModel.Load(File.ReadAllBytes(path));

        act.Should().Throw<OnnxModelException>().WithMessage("*loaded from bytes without a directory*");
    }

    [Fact]
    public void Load_bytes_with_folder_reads_external()
    {
        var path = WriteModel(("location", "weights/w.bin"), ("offset", "100"));

        var model = OnnxModel.Load(File.ReadAllBytes(path), modelFolder);

        Tensors.ToDoubles(model.Proto.Graph.Initializer[0]).Should().Equal(1.0, 2.0, 3.0);
    }
}
