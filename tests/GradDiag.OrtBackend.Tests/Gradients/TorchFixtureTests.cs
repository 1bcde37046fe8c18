using System.Text.Json;
using GradDiag.OrtBackend.Gradients;
using GradDiag.OrtBackend.Models;
using Microsoft.ML.OnnxRuntime;

namespace GradDiag.OrtBackend.Tests.Gradients;

/// <summary>
/// Compares the builder's gradients with PyTorch autograd on models exported by torch.onnx.export
/// (torch 1.13): an MLP with a view/reshape through Shape/Gather/Concat, Gemm, Gelu as its Erf
/// decomposition, Tanh, Sigmoid, Slice, Concat and an MSE loss written as Pow and ReduceMean.
/// </summary>
public class TorchFixtureTests
{
    [Theory]
    [InlineData("torch_mlp_opset13")]
    [InlineData("torch_mlp_opset17")]
    public void Torch_export_matches_autograd(string name)
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "Fixtures");
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, name + ".json")));
        var root = json.RootElement;
        var model = OnnxModel.Load(Path.Combine(folder, name + ".onnx"));
        var parameters = model.InitializerNames;

        var training = GradientGraphBuilder.Build(model, "loss");

        using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL };
        using var session = new InferenceSession(training.ToByteArray(), options);
        var names = new List<string>();
        var values = new List<OrtValue>();
        foreach (var input in root.GetProperty("inputs").EnumerateObject())
        {
            names.Add(input.Name);
            values.Add(OrtValue.CreateTensorValueFromMemory(
                input.Value.GetProperty("values").EnumerateArray().Select(v => v.GetSingle()).ToArray(),
                input.Value.GetProperty("dims").EnumerateArray().Select(v => v.GetInt64()).ToArray()));
        }

        foreach (var tensor in model.Proto.Graph.Initializer)
        {
            names.Add(tensor.Name);
            values.Add(OrtValue.CreateTensorValueFromMemory(OrtBackend.Graphs.Tensors.ToDoubles(tensor)!.Select(v => (float)v).ToArray(), tensor.Dims.ToArray()));
        }

        using var runOptions = new RunOptions();
        using var outputs = session.Run(runOptions, names, values, ["loss", .. parameters.Select(p => p + "_grad")]);
        foreach (var value in values)
        {
            value.Dispose();
        }

        outputs[0].GetTensorDataAsSpan<float>()[0].Should().BeApproximately(root.GetProperty("loss").GetSingle(), 1e-6f);
        var expected = root.GetProperty("gradients");
        for (var i = 0; i < parameters.Count; i++)
        {
            var torchGradient = expected.GetProperty(parameters[i]).EnumerateArray().Select(v => v.GetDouble()).ToArray();
            var gradient = outputs[i + 1].GetTensorDataAsSpan<float>().ToArray();
            gradient.Length.Should().Be(torchGradient.Length, $"gradient of '{parameters[i]}'");
            for (var j = 0; j < gradient.Length; j++)
            {
                gradient[j].Should().BeApproximately((float)torchGradient[j], 1e-5f + (1e-4f * Math.Abs((float)torchGradient[j])), $"d loss / d {parameters[i]}[{j}]");
            }
        }
    }
}
