using GradDiag.OrtBackend.Graphs;
using GradDiag.OrtBackend.Models;
using GradDiag.OrtBackend.Onnx;
using GradDiag.OrtBackend.Tests.Support;
using Microsoft.ML.OnnxRuntime;

namespace GradDiag.OrtBackend.Tests.Models;

public sealed class ExternalDataSaveTests : IDisposable
{
    private readonly TempDirectory folder = new();

    public void Dispose() => folder.Dispose();

    private static OnnxModel TwoWeightModel()
    {
        var g = new GraphBuilder();
        var x = g.Input("x", [1, 300]);
        var big = g.Initializer("big", [300, 2], TestData.Uniform(600, 121));
        var small = g.Initializer("small", [2], [0.5, -0.5]);
        var y = g.Node("Add", [g.Node("MatMul", [x, big]), small]);
        g.Output(y, [1, 2]);
        return g.ToModel();
    }

    [Fact]
    public void Save_external_round_trips()
    {
        var model = TwoWeightModel();
        var path = folder.File("model.onnx");

        model.Save(path, "model.onnx.data");
        var loaded = OnnxModel.Load(path);

        loaded.Proto.Graph.Initializer.Select(t => t.RawData).Should().Equal(model.Proto.Graph.Initializer.Select(t => t.RawData));
        File.Exists(folder.File("model.onnx.data")).Should().BeTrue();
        new FileInfo(path).Length.Should().BeLessThan(4800);
    }

    [Fact]
    public void Save_external_splits_by_threshold()
    {
        var path = folder.File("model.onnx");

        TwoWeightModel().Save(path, "weights.bin", threshold: 1024);
        var raw = Onnx.ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));

        raw.Graph.Initializer.Single(t => t.Name == "big").DataLocation.Should().Be(TensorProto.Types.DataLocation.External);
        raw.Graph.Initializer.Single(t => t.Name == "small").DataLocation.Should().Be(TensorProto.Types.DataLocation.Default);
        raw.Graph.Initializer.Single(t => t.Name == "big").ExternalData.Select(e => e.Key).Should().Equal("location", "offset", "length");
    }

    [Fact]
    public void Save_external_runs_in_onnx_runtime()
    {
        var path = folder.File("model.onnx");
        TwoWeightModel().Save(path, "model.onnx.data", threshold: 0);

        using var session = new InferenceSession(path);
        using var input = OrtValue.CreateTensorValueFromMemory(new double[300], [1, 300]);
        using var runOptions = new RunOptions();
        using var outputs = session.Run(runOptions, ["x"], [input], session.OutputNames);

        outputs[0].GetTensorDataAsSpan<double>().ToArray().Should().Equal(0.5, -0.5);
    }

    [Theory]
    [InlineData("../model.data")]
    [InlineData("sub/model.data")]
    [InlineData("..")]
    [InlineData("")]
    [InlineData("C:model.data")]
    public void Save_rejects_data_name(string name)
    {
        var act = () => TwoWeightModel().Save(folder.File("model.onnx"), name);

        act.Should().Throw<OnnxModelException>().WithMessage("*plain file name*");
    }

    [Fact]
    public void Save_replaces_symlink_without_following()
    {
        var outside = Path.Combine(Path.GetTempPath(), $"graddiag-outside-{Guid.NewGuid():N}.bin");
        File.WriteAllText(outside, "keep");
        try
        {
            File.CreateSymbolicLink(folder.File("model.onnx.data"), outside);

            TwoWeightModel().Save(folder.File("model.onnx"), "model.onnx.data");

            File.ReadAllText(outside).Should().Be("keep");
            new FileInfo(folder.File("model.onnx.data")).LinkTarget.Should().BeNull();
        }
        finally
        {
            File.Delete(outside);
        }
    }
}
