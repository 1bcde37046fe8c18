using System.Text.Json;
using Google.Protobuf;
using GradDiag.Cli.Engines;
using GradDiag.Cli.Infrastructure;
using Microsoft.ML.OnnxRuntime;

namespace GradDiag.Cli.Tests;

/// <summary>graddiag inspect and graddiag artifacts with the wired ONNX tools on the repository's ONNX fixtures.</summary>
public class ModelEndToEndTests
{
    private static Task<CliResult> RunAsync(params string[] args) => CliHarness.RunAsync(DefaultEngines.Create(), args);

    [Fact]
    public async Task InspectDigitsMlp_ListsEverything()
    {
        CliResult result = await RunAsync("inspect", TestPaths.DigitsMlp);

        result.ExitCode.Should().Be(ExitCodes.Success, result.Error);
        result.Output.Should().Contain("IR version 7, opset 13, 3 nodes");
        result.Output.Should().Contain("input\tFLOAT\t[batch, 64]");
        result.Output.Should().Contain("output\tFLOAT\t[batch, 10]");
        result.Output.Should().Contain("4 trainable, 2410 elements; 0 frozen");
        result.Output.Should().Contain("0\tfc1.weight\tFLOAT\t[32, 64]\t2048\ttrainable");
        result.Output.Should().Contain("3\tfc2.bias\tFLOAT\t[10]\t10\ttrainable");
        result.Output.Should().Contain("Gemm\t2\tyes");
        result.Output.Should().Contain("Every operator has a gradient rule");
    }

    [Fact]
    public async Task InspectJson_DepthOrderAndCounts()
    {
        CliResult result = await RunAsync("inspect", TestPaths.OnnxFixture("digits_cnn.onnx"), "--json");

        result.ExitCode.Should().Be(ExitCodes.Success, result.Error);
        using JsonDocument document = JsonDocument.Parse(result.Output);
        JsonElement root = document.RootElement;
        string[] names = root.GetProperty("trainableParameters").EnumerateArray().Select(p => p.GetProperty("name").GetString()!).ToArray();
        names.Should().NotBeEmpty();
        root.GetProperty("trainableParameters")[0].GetProperty("depth").GetInt32().Should().Be(0);
        root.GetProperty("operators").EnumerateArray().Select(o => o.GetProperty("operator").GetString()).Should().Contain("Conv");
        root.GetProperty("unsupportedOperators").GetArrayLength().Should().Be(0);
        root.GetProperty("trainableElementCount").GetInt64().Should().BeGreaterThan(0);
    }

    [Theory]
    [InlineData("mlp.onnx")]
    [InlineData("cnn.onnx")]
    [InlineData("embedding.onnx")]
    [InlineData("transformer.onnx")]
    public async Task InspectFixtures_ExitZero(string fixture)
    {
        CliResult result = await RunAsync("inspect", TestPaths.OnnxFixture(fixture));

        result.ExitCode.Should().Be(ExitCodes.Success, result.Error);
        result.Output.Should().Contain("Parameters in depth order");
    }

    [Fact]
    public async Task InspectMalformed_ExitsTwoOneLine()
    {
        string path = Path.Combine(TestPaths.NewTempFolder(), "cut.onnx");
        File.WriteAllBytes(path, File.ReadAllBytes(TestPaths.DigitsMlp)[..100]);

        CliResult result = await RunAsync("inspect", path);

        result.ExitCode.Should().Be(ExitCodes.UsageOrInput);
        result.ErrorLines.Should().ContainSingle().Which.Should().Contain(path).And.Contain("not a valid ONNX protobuf");
        result.Output.Should().BeEmpty();
    }

    [Fact]
    public async Task InspectUnsupported_NamesTheNode()
    {
        string path = Path.Combine(TestPaths.NewTempFolder(), "custom.onnx");
        File.WriteAllBytes(path, CustomOperatorModel());

        CliResult result = await RunAsync("inspect", path);

        result.ExitCode.Should().Be(ExitCodes.Success, result.Error);
        result.Output.Should().Contain("com.example.Mystery\t1\tno");
        result.Output.Should().Contain("1 node(s) have no gradient rule");
        result.Output.Should().Contain("com.example.Mystery (node 'mystery', index 1)");
    }

    [Fact]
    public async Task ArtifactsDigitsMlp_ModelsLoadInOrt()
    {
        string folder = Path.Combine(TestPaths.NewTempFolder(), "artifacts");

        CliResult result = await RunAsync("artifacts", TestPaths.DigitsMlp, "--out", folder);

        result.ExitCode.Should().Be(ExitCodes.Success, result.Error);
        result.Output.Should().Contain("4 trainable parameters (2410 elements), 0 frozen");
        File.Exists(Path.Combine(folder, "checkpoint.gdckpt")).Should().BeTrue();
        using JsonDocument manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "manifest.json")));
        manifest.RootElement.GetProperty("trainable_parameters").EnumerateArray().Select(p => p.GetProperty("name").GetString())
            .Should().Equal("fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias");
        manifest.RootElement.GetProperty("loss").GetProperty("kind").GetString().Should().Be("cross_entropy");
        foreach (string model in new[] { "training_model.onnx", "eval_model.onnx", "optimizer_model.onnx", "statistics_model.onnx" })
        {
            using var session = new InferenceSession(Path.Combine(folder, model));
            session.InputMetadata.Should().NotBeEmpty(model);
        }

        using var training = new InferenceSession(Path.Combine(folder, "training_model.onnx"));
        training.OutputMetadata.Keys.Should().Contain("fc1.weight_grad");
        training.InputMetadata.Keys.Should().Contain("labels");
    }

    [Fact]
    public async Task ArtifactsExisting_NeedsOverwrite()
    {
        string folder = TestPaths.NewTempFolder();
        (await RunAsync("artifacts", TestPaths.DigitsMlp, "--out", folder, "--optimizer", "adam", "--loss", "mse")).ExitCode.Should().Be(ExitCodes.Success);

        CliResult again = await RunAsync("artifacts", TestPaths.DigitsMlp, "--out", folder);
        CliResult replaced = await RunAsync("artifacts", TestPaths.DigitsMlp, "--out", folder, "--overwrite");

        again.ExitCode.Should().Be(ExitCodes.UsageOrInput);
        again.ErrorLines.Should().ContainSingle().Which.Should().Contain("--overwrite");
        replaced.ExitCode.Should().Be(ExitCodes.Success, replaced.Error);
        using JsonDocument manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "manifest.json")));
        manifest.RootElement.GetProperty("optimizer").GetProperty("kind").GetString().Should().Be("sgd");
    }

    [Fact]
    public async Task ArtifactsAdamMse_RecordedInManifest()
    {
        string folder = TestPaths.NewTempFolder();

        CliResult result = await RunAsync("artifacts", TestPaths.DigitsMlp, "--out", folder, "--optimizer", "adam", "--loss", "mse");

        result.ExitCode.Should().Be(ExitCodes.Success, result.Error);
        using JsonDocument manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "manifest.json")));
        manifest.RootElement.GetProperty("optimizer").GetProperty("kind").GetString().Should().Be("adam");
        manifest.RootElement.GetProperty("loss").GetProperty("kind").GetString().Should().Be("mse");
        manifest.RootElement.GetProperty("loss").GetProperty("target_inputs")[0].GetString().Should().Be("target");
    }

    [Fact]
    public async Task ArtifactsUnknownInput_ExitsTwo()
    {
        CliResult result = await RunAsync("artifacts", TestPaths.DigitsMlp, "--out", TestPaths.NewTempFolder(), "--input-name", "pixels");

        result.ExitCode.Should().Be(ExitCodes.UsageOrInput);
        result.ErrorLines.Should().ContainSingle().Which.Should().Contain("'pixels'").And.Contain("input");
    }

    /// <summary>
    /// Returns a model x -> Relu -> com.example.Mystery -> y, written field by field, because the ONNX message
    /// classes are internal to GradDiag.OrtBackend.
    /// </summary>
    private static byte[] CustomOperatorModel()
    {
        byte[] Message(Action<CodedOutputStream> write)
        {
            using var stream = new MemoryStream();
            var output = new CodedOutputStream(stream);
            write(output);
            output.Flush();
            return stream.ToArray();
        }

        void Bytes(CodedOutputStream output, int field, byte[] value)
        {
            output.WriteTag(field, WireFormat.WireType.LengthDelimited);
            output.WriteBytes(ByteString.CopyFrom(value));
        }

        void Text(CodedOutputStream output, int field, string value)
        {
            output.WriteTag(field, WireFormat.WireType.LengthDelimited);
            output.WriteString(value);
        }

        // TypeProto { tensor_type (1) { elem_type (1) = FLOAT, shape (2) { dim (1) { dim_value (1) = 4 } } } }
        byte[] tensorType = Message(o => Bytes(o, 1, Message(t =>
        {
            t.WriteTag(1, WireFormat.WireType.Varint);
            t.WriteInt32(1);
            Bytes(t, 2, Message(s => Bytes(s, 1, Message(d =>
            {
                d.WriteTag(1, WireFormat.WireType.Varint);
                d.WriteInt64(4);
            }))));
        })));
        byte[] ValueInfo(string name) => Message(o =>
        {
            Text(o, 1, name);
            Bytes(o, 2, tensorType);
        });

        // NodeProto: input (1), output (2), name (3), op_type (4), domain (7).
        byte[] relu = Message(o =>
        {
            Text(o, 1, "x");
            Text(o, 2, "h");
            Text(o, 3, "relu");
            Text(o, 4, "Relu");
        });
        byte[] mystery = Message(o =>
        {
            Text(o, 1, "h");
            Text(o, 2, "y");
            Text(o, 3, "mystery");
            Text(o, 4, "Mystery");
            Text(o, 7, "com.example");
        });

        // GraphProto: node (1), name (2), input (11), output (12).
        byte[] graph = Message(o =>
        {
            Bytes(o, 1, relu);
            Bytes(o, 1, mystery);
            Text(o, 2, "custom");
            Bytes(o, 11, ValueInfo("x"));
            Bytes(o, 12, ValueInfo("y"));
        });

        // ModelProto: ir_version (1), graph (7), opset_import (8) { domain (1), version (2) }.
        return Message(o =>
        {
            o.WriteTag(1, WireFormat.WireType.Varint);
            o.WriteInt64(8);
            Bytes(o, 7, graph);
            Bytes(o, 8, Message(i =>
            {
                Text(i, 1, string.Empty);
                i.WriteTag(2, WireFormat.WireType.Varint);
                i.WriteInt64(17);
            }));
            Bytes(o, 8, Message(i =>
            {
                Text(i, 1, "com.example");
                i.WriteTag(2, WireFormat.WireType.Varint);
                i.WriteInt64(1);
            }));
        });
    }
}
