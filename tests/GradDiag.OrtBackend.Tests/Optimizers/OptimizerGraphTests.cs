using System.Text.Json;
using GradDiag.OrtBackend.Models;
using GradDiag.OrtBackend.Optimizers;
using GradDiag.OrtBackend.Standalone;
using GradDiag.OrtBackend.Tests.Support;

namespace GradDiag.OrtBackend.Tests.Optimizers;

public class OptimizerGraphTests
{
    /// <summary>
    /// Bound for float32 arithmetic against the float64 reference after three steps. Parameters stay within
    /// |w| ≤ 2, whose float32 spacing (ulp) is 2.4e-7. Each step rounds at most twice at the parameter's
    /// magnitude (AdamW's decay product and the final subtraction, ½ ulp each), and the update term, at most
    /// 0.04, carries a relative error of about 10 roundings (6e-7), so three steps stay below
    /// 3·(2.4e-7 + 2.4e-8) ≈ 8e-7. The largest difference measured on ONNX Runtime 1.32 CPU was 2.4e-7.
    /// </summary>
    private const double Tolerance = 1e-6;

    public static TheoryData<string> ReferenceCases()
    {
        var data = new TheoryData<string>();
        foreach (var item in LoadReference().GetProperty("cases").EnumerateArray())
        {
            data.Add(item.GetProperty("name").GetString()!);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(ReferenceCases))]
    public void Optimizer_matches_torch_reference(string caseName)
    {
        var reference = LoadReference();
        var item = reference.GetProperty("cases").EnumerateArray().Single(c => c.GetProperty("name").GetString() == caseName);
        var options = ToOptions(item);
        var lr = (float)item.GetProperty("settings").GetProperty("lr").GetDouble();
        var gradients = reference.GetProperty("gradients").EnumerateArray().Select(ReadFloats).ToArray();
        var expected = item.GetProperty("parameters_after_step").EnumerateArray().Select(s => s.EnumerateArray().Select(v => v.GetDouble()).ToArray()).ToArray();

        var stepper = new Stepper(options, ReadFloats(reference.GetProperty("initial_parameter")));
        for (var step = 0; step < gradients.Length; step++)
        {
            stepper.Step(lr, gradients[step]);
            for (var i = 0; i < expected[step].Length; i++)
            {
                ((double)stepper.Value[i]).Should().BeApproximately(expected[step][i], Tolerance, $"{caseName} step {step + 1} element {i}");
            }
        }
    }

    [Fact]
    public void Optimizer_clips_to_max_norm()
    {
        // Gradient (3, 4) has norm 5; max_norm 1 scales it by 1 / (5 + 1e-6) before a plain SGD step with lr 1.
        var stepper = new Stepper(new OptimizerOptions { Kind = OptimizerKind.Sgd, MaxGradientNorm = 1.0 }, [0f, 0f]);

        stepper.Step(1f, [3f, 4f]);

        ((double)stepper.GlobalNorm).Should().BeApproximately(5.0, 1e-6);
        ((double)stepper.Value[0]).Should().BeApproximately(-3.0 / (5 + 1e-6), 1e-7);
        ((double)stepper.Value[1]).Should().BeApproximately(-4.0 / (5 + 1e-6), 1e-7);
        ((double)stepper.UpdateSumOfSquares[0]).Should().BeApproximately(1.0 / Math.Pow(1 + 2e-7, 2), 1e-6);
    }

    [Fact]
    public void Optimizer_below_max_norm_keeps_gradient()
    {
        var stepper = new Stepper(new OptimizerOptions { Kind = OptimizerKind.Sgd, MaxGradientNorm = 10.0 }, [1f, 1f]);

        stepper.Step(0.5f, [3f, 4f]);

        stepper.Value[0].Should().Be(-0.5f);
        stepper.Value[1].Should().Be(-1f);
        stepper.GlobalNorm.Should().Be(5f);
    }

    [Fact]
    public void Optimizer_reports_update_sum_of_squares()
    {
        var stepper = new Stepper(new OptimizerOptions { Kind = OptimizerKind.Sgd }, [1f, 2f, 3f]);

        stepper.Step(0.5f, [2f, -4f, 0f]);

        stepper.UpdateSumOfSquares.Should().Equal(5f);
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    public void Optimizer_non_finite_gradient_gives_non_finite_norm(float bad)
    {
        var stepper = new Stepper(new OptimizerOptions { Kind = OptimizerKind.AdamW, MaxGradientNorm = 1.0 }, [1f, 2f]);

        stepper.Step(0.1f, [bad, 1f]);

        float.IsFinite(stepper.GlobalNorm).Should().BeFalse();
    }

    [Fact]
    public void Optimizer_model_declares_inputs_in_order()
    {
        var model = OptimizerGraph.Build([new ParameterSpec("w", DataTypes.Float, [2]), new ParameterSpec("b", DataTypes.Float, [1])], new OptimizerOptions { Kind = OptimizerKind.Adam });

        model.IrVersion.Should().Be(10);
        model.Opset.Should().Be(21);
        model.InputNames.Should().Equal("learning_rate", "step", "w", "w_grad", "w.exp_avg", "w.exp_avg_sq", "b", "b_grad", "b.exp_avg", "b.exp_avg_sq");
        model.OutputNames.Should().Equal("w.updated", "w.exp_avg.updated", "w.exp_avg_sq.updated", "b.updated", "b.exp_avg.updated", "b.exp_avg_sq.updated", "global_gradient_norm", "update_sum_of_squares");
    }

    [Fact]
    public void Optimizer_rejects_nesterov_without_momentum()
    {
        var act = () => OptimizerGraph.Build([new ParameterSpec("w", DataTypes.Float, [2])], new OptimizerOptions { Kind = OptimizerKind.Sgd, Nesterov = true });

        act.Should().Throw<ArgumentException>().WithMessage("*Nesterov*Momentum > 0*");
    }

    [Fact]
    public void Optimizer_rejects_double_parameter()
    {
        var act = () => OptimizerGraph.Build([new ParameterSpec("w", DataTypes.Double, [2])], new OptimizerOptions());

        act.Should().Throw<ArgumentException>().WithMessage("*FLOAT parameters only*'w' DOUBLE[2]*");
    }

    private static JsonElement LoadReference() =>
        JsonDocument.Parse(File.ReadAllBytes(FixturePaths.Onnx("optimizer_reference.json"))).RootElement;

    private static float[] ReadFloats(JsonElement array) => array.EnumerateArray().Select(v => (float)v.GetDouble()).ToArray();

    private static OptimizerOptions ToOptions(JsonElement item)
    {
        var settings = item.GetProperty("settings");
        double Get(string name, double fallback) => settings.TryGetProperty(name, out var v) ? v.GetDouble() : fallback;
        var kind = item.GetProperty("optimizer").GetString() switch
        {
            "torch.optim.SGD" => OptimizerKind.Sgd,
            "torch.optim.Adam" => OptimizerKind.Adam,
            "torch.optim.AdamW" => OptimizerKind.AdamW,
            var other => throw new InvalidOperationException($"Unknown optimizer {other}."),
        };
        var betas = settings.TryGetProperty("betas", out var b) ? b.EnumerateArray().Select(v => v.GetDouble()).ToArray() : [0.9, 0.999];
        Get("dampening", 0).Should().Be(0, "the optimizer graph supports dampening 0 only");
        return new OptimizerOptions
        {
            Kind = kind,
            Momentum = Get("momentum", 0),
            Nesterov = settings.TryGetProperty("nesterov", out var n) && n.GetBoolean(),
            WeightDecay = Get("weight_decay", 0),
            Beta1 = betas[0],
            Beta2 = betas[1],
            Epsilon = Get("eps", 1e-8),
        };
    }

    /// <summary>Runs the optimizer graph of one parameter named <c>w</c> step by step, feeding outputs back.</summary>
    private sealed class Stepper
    {
        private readonly OnnxModel model;
        private readonly IReadOnlyList<string> stateSuffixes;
        private readonly long[] dims;
        private readonly Dictionary<string, float[]> state = [];
        private long step;

        public Stepper(OptimizerOptions options, float[] initial)
        {
            dims = [initial.Length];
            model = OptimizerGraph.Build([new ParameterSpec("w", DataTypes.Float, dims)], options);
            stateSuffixes = OptimizerGraph.StateSuffixes(options);
            Value = initial;
            foreach (var suffix in stateSuffixes)
            {
                state[suffix] = new float[initial.Length];
            }
        }

        public float[] Value { get; private set; }

        public float GlobalNorm { get; private set; }

        public float[] UpdateSumOfSquares { get; private set; } = [];

        public void Step(float learningRate, float[] gradient)
        {
            step++;
            var feeds = new Dictionary<string, (float[], long[])>
            {
                ["learning_rate"] = ([learningRate], []),
                ["w"] = (Value, dims),
                ["w_grad"] = (gradient, dims),
            };
            foreach (var suffix in stateSuffixes)
            {
                feeds["w" + suffix] = (state[suffix], dims);
            }

            var outputs = OrtRunner.Run(model, feeds, new Dictionary<string, long> { ["step"] = step });
            Value = outputs["w.updated"];
            foreach (var suffix in stateSuffixes)
            {
                state[suffix] = outputs["w" + suffix + ".updated"];
            }

            GlobalNorm = outputs[OptimizerGraph.GlobalNormOutput][0];
            UpdateSumOfSquares = outputs[OptimizerGraph.UpdateSumOfSquaresOutput];
        }
    }
}
