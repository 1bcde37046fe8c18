using System.Text.Json;
using GradDiag.OrtBackend.Artifacts;
using GradDiag.OrtBackend.Graphs;
using GradDiag.OrtBackend.Losses;
using GradDiag.OrtBackend.Models;
using GradDiag.OrtBackend.Optimizers;
using GradDiag.OrtBackend.Tests.Support;
using GradDiag.OrtBackend.Training;

namespace GradDiag.OrtBackend.Tests.Training;

/// <summary>
/// Drives the torch.optim reference cases through the backend with a model whose loss is Σ w·g, so the
/// gradient of w is exactly the batch input g.
/// </summary>
public sealed class OptimizerReferenceBackendTests : IDisposable
{
    /// <summary>
    /// Absolute bound. The reference is float64 and the backend float32, so with |w| ≤ 2 one float32 ulp is 2.4e-7.
    /// The optimizer model's own tests measured at most one ulp on ONNX Runtime 1.32 CPU, and 1e-6 allows four.
    /// </summary>
    private const double Tolerance = 1e-6;

    private readonly TempDirectory directory = new();

    public void Dispose() => directory.Dispose();

    public static TheoryData<string, OptimizerPath> Cases()
    {
        var data = new TheoryData<string, OptimizerPath>();
        foreach (var element in Reference().RootElement.GetProperty("cases").EnumerateArray())
        {
            data.Add(element.GetProperty("name").GetString()!, OptimizerPath.Host);
            data.Add(element.GetProperty("name").GetString()!, OptimizerPath.Graph);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Backend_matches_torch_optim(string name, OptimizerPath path)
    {
        using var reference = Reference();
        var root = reference.RootElement;
        var testCase = root.GetProperty("cases").EnumerateArray().Single(c => c.GetProperty("name").GetString() == name);
        var settings = testCase.GetProperty("settings");
        var optimizer = Optimizer(testCase.GetProperty("optimizer").GetString()!, settings);
        var initial = root.GetProperty("initial_parameter").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        var (source, output) = WriteModel(initial);
        using var backend = OrtTrainingBackend.Create(
            source,
            output,
            new LossOptions { Kind = LossKind.Scalar },
            new TrainingArtifactOptions { Optimizer = optimizer },
            new OrtBackendOptions { ArtifactsDirectory = directory.File("artifacts"), LearningRate = settings.GetProperty("lr").GetDouble(), OptimizerPath = path });

        var gradients = root.GetProperty("gradients").EnumerateArray().ToArray();
        var expected = testCase.GetProperty("parameters_after_step").EnumerateArray().ToArray();
        for (var step = 0; step < gradients.Length; step++)
        {
            var g = gradients[step].EnumerateArray().Select(e => (float)e.GetDouble()).ToArray();
            backend.ComputeGradients(new TrainingBatch().Add("g", g, 4));
            backend.ApplyUpdate(null);

            var actual = backend.GetParameterValues("w");
            var want = expected[step].EnumerateArray().Select(e => e.GetDouble()).ToArray();
            for (var k = 0; k < want.Length; k++)
            {
                ((double)actual[k]).Should().BeApproximately(want[k], Tolerance, $"element {k} after step {step + 1} of {name}");
            }
        }
    }

    [Theory]
    [InlineData(OptimizerPath.Host, float.PositiveInfinity)]
    [InlineData(OptimizerPath.Graph, float.PositiveInfinity)]
    [InlineData(OptimizerPath.Host, float.NaN)]
    [InlineData(OptimizerPath.Graph, float.NaN)]
    public void Clipping_non_finite_gradient_follows_torch(OptimizerPath path, float bad)
    {
        var (source, output) = WriteModel([0.5, -0.5, 0.25, 1]);
        var clipped = new OptimizerOptions { Kind = OptimizerKind.Sgd, MaxGradientNorm = 1 };
        using var backend = OrtTrainingBackend.Create(
            source,
            output,
            new LossOptions { Kind = LossKind.Scalar },
            new TrainingArtifactOptions { Optimizer = clipped },
            new OrtBackendOptions { ArtifactsDirectory = directory.File("artifacts"), LearningRate = 0.1, OptimizerPath = path });

        backend.ComputeGradients(new TrainingBatch().Add("g", new[] { 1f, 2f, bad, 3f }, 4));
        backend.ApplyUpdate(null);

        // As in torch.nn.utils.clip_grad_norm_, an infinite norm gives the factor 0, so only the infinite element's
        // parameter becomes NaN (Inf x 0). A NaN norm gives the factor NaN, and every parameter becomes NaN.
        var w = backend.GetParameterValues("w");
        if (float.IsInfinity(bad))
        {
            backend.LastGlobalNorm.Should().Be(double.PositiveInfinity);
            w[0].Should().Be(0.5f);
            w[1].Should().Be(-0.5f);
            float.IsNaN(w[2]).Should().BeTrue();
            w[3].Should().Be(1f);
        }
        else
        {
            double.IsNaN(backend.LastGlobalNorm).Should().BeTrue();
            w.Should().OnlyContain(v => float.IsNaN(v));
        }
    }

    private static JsonDocument Reference() => JsonDocument.Parse(File.ReadAllBytes(FixturePaths.Onnx("optimizer_reference.json")));

    private static OptimizerOptions Optimizer(string kind, JsonElement settings)
    {
        double Get(string key, double fallback) => settings.TryGetProperty(key, out var value) ? value.GetDouble() : fallback;
        var betas = settings.TryGetProperty("betas", out var b) ? b.EnumerateArray().Select(e => e.GetDouble()).ToArray() : [0.9, 0.999];
        return new OptimizerOptions
        {
            Kind = kind switch
            {
                "torch.optim.SGD" => OptimizerKind.Sgd,
                "torch.optim.Adam" => OptimizerKind.Adam,
                _ => OptimizerKind.AdamW,
            },
            Momentum = Get("momentum", 0),
            Nesterov = settings.TryGetProperty("nesterov", out var nesterov) && nesterov.GetBoolean(),
            WeightDecay = Get("weight_decay", 0),
            Beta1 = betas[0],
            Beta2 = betas[1],
            Epsilon = Get("eps", 1e-8),
        };
    }

    /// <summary>Writes a model with initializer w[4], input g[4] and a scalar output ReduceSum(w · g); returns its path and output name.</summary>
    private (string Path, string Output) WriteModel(double[] initial)
    {
        var builder = new GraphBuilder(opset: 17, elementType: DataTypes.Float);
        var g = builder.Input("g", [4]);
        var w = builder.Initializer("w", [4], initial);
        var product = builder.Node("Mul", [w, g]);
        var sum = builder.Node("ReduceSum", [product], Attributes.Int("keepdims", 0));
        builder.Output(sum, []);
        var path = directory.File("dot.onnx");
        new OnnxModel(builder.Model).Save(path);
        return (path, sum);
    }
}
