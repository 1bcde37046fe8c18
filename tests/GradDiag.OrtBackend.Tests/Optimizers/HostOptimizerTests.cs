using GradDiag.OrtBackend.Models;
using GradDiag.OrtBackend.Optimizers;
using GradDiag.OrtBackend.Standalone;
using GradDiag.OrtBackend.Tests.Support;

namespace GradDiag.OrtBackend.Tests.Optimizers;

public class HostOptimizerTests
{
    /// <summary>
    /// Lengths around the vector widths (4, 8, 16) and the block (32 vectors), one that leaves a tail after several
    /// blocks, and one above the backend's 131,072-element range.
    /// </summary>
    public static TheoryData<int> Lengths() => [1, 7, 8, 9, 17, 255, 256, 257, 5003, 140_001];

    public static TheoryData<string> Settings() => [.. s_settings.Keys];

    private static readonly Dictionary<string, OptimizerOptions> s_settings = new()
    {
        ["sgd"] = new() { Kind = OptimizerKind.Sgd },
        ["sgd-decay"] = new() { Kind = OptimizerKind.Sgd, WeightDecay = 0.01 },
        ["sgd-momentum"] = new() { Kind = OptimizerKind.Sgd, Momentum = 0.9, WeightDecay = 0.01 },
        ["sgd-nesterov"] = new() { Kind = OptimizerKind.Sgd, Momentum = 0.8, Nesterov = true },
        ["adam"] = new() { Kind = OptimizerKind.Adam, WeightDecay = 0.01 },
        ["adamw"] = new() { Kind = OptimizerKind.AdamW, WeightDecay = 0.05, Beta1 = 0.8, Beta2 = 0.99, Epsilon = 1e-6 },
        ["adamw-clipped"] = new() { Kind = OptimizerKind.AdamW, WeightDecay = 0.01, MaxGradientNorm = 0.5 },
    };

    [Theory]
    [MemberData(nameof(Settings))]
    public void Update_matches_optimizer_model(string name)
    {
        var options = s_settings[name];
        const int length = 1003;
        var model = OptimizerGraph.Build([new ParameterSpec("w", DataTypes.Float, [length])], options);
        var suffixes = OptimizerGraph.StateSuffixes(options);
        var optimizer = new HostOptimizer(options);
        var random = new Random(11);
        var graphValue = RandomArray(random, length, 1f);
        var hostValue = (float[])graphValue.Clone();
        var graphState = suffixes.Select(_ => new float[length]).ToArray();
        var hostState = suffixes.Select(_ => new float[length]).ToArray();
        for (var step = 1; step <= 4; step++)
        {
            var gradient = RandomArray(random, length, 0.1f);
            gradient[3] = 0;
            var feeds = new Dictionary<string, (float[], long[])>
            {
                ["learning_rate"] = ([0.05f], []),
                ["w"] = (graphValue, [length]),
                ["w_grad"] = (gradient, [length]),
            };
            for (var s = 0; s < suffixes.Count; s++)
            {
                feeds["w" + suffixes[s]] = (graphState[s], [length]);
            }

            var outputs = OrtRunner.Run(model, feeds, new Dictionary<string, long> { ["step"] = step });
            graphValue = outputs["w.updated"];
            graphState = suffixes.Select(suffix => outputs["w" + suffix + ".updated"]).ToArray();

            var norm = Math.Sqrt(gradient.Sum(g => (double)g * g));
            var newValue = new float[length];
            var newState = suffixes.Select(_ => new float[length]).ToArray();
            optimizer.Update(hostValue, gradient, hostState, newValue, newState, 0, length, 0.05f, step, optimizer.ClippingFactor(norm), observe: step % 2 == 0, measureOldValues: false);
            hostValue = newValue;
            hostState = newState;

            if (options.Kind == OptimizerKind.Sgd)
            {
                hostValue.Should().Equal(graphValue, $"SGD evaluates the model's float32 operations in its order, step {step}");
                for (var s = 0; s < suffixes.Count; s++)
                {
                    hostState[s].Should().Equal(graphState[s]);
                }
            }
            else
            {
                // Adam's bias corrections use MathF.Pow, and the clipping norm is summed in float64 on the host and
                // in float32 by the model, so a few last-bit differences are allowed: 4 ulp at |w| ≤ 2.
                for (var i = 0; i < length; i++)
                {
                    ((double)hostValue[i]).Should().BeApproximately(graphValue[i], 1e-6, $"element {i} at step {step}");
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Observed_pass_measures_all_sums(int length)
    {
        var optimizer = new HostOptimizer(new OptimizerOptions { Kind = OptimizerKind.Sgd, Momentum = 0.9 });
        var random = new Random(length);
        var value = RandomArray(random, length, 2f);
        var gradient = RandomArray(random, length, 0.01f);
        for (var i = 0; i < length; i += 5)
        {
            gradient[i] = 0;
        }

        var buffer = RandomArray(random, length, 0.001f);
        var newValue = new float[length];
        var newBuffer = new float[length];

        var measured = optimizer.Update(value, gradient, [buffer], newValue, [newBuffer], 0, length, 0.1f, 1, 1f, observe: true, measureOldValues: true);

        var expected = TensorStatisticsKernel.Compute(gradient);
        measured.Gradient.Count.Should().Be(length);
        Relative(measured.Gradient.SumOfSquares, expected.SumOfSquares).Should().BeLessThan(3e-6);
        measured.Gradient.Sum.Should().BeApproximately(expected.Sum, 3e-6 * gradient.Sum(g => Math.Abs((double)g)));
        measured.Gradient.MaxAbs.Should().Be(expected.MaxAbs);
        measured.Gradient.ZeroCount.Should().Be(expected.ZeroCount).And.Be((length + 4) / 5);
        measured.Gradient.NonFiniteCount.Should().Be(0);
        Relative(measured.OldValueSquares, value.Sum(v => (double)v * v)).Should().BeLessThan(3e-6);
        Relative(measured.NewValueSquares, newValue.Sum(v => (double)v * v)).Should().BeLessThan(3e-6);
        Relative(measured.UpdateSquares, newValue.Select((v, i) => (double)(v - value[i])).Sum(d => d * d)).Should().BeLessThan(3e-6);
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Plain_and_observed_values_agree(int length)
    {
        var optimizer = new HostOptimizer(new OptimizerOptions { Kind = OptimizerKind.Adam });
        var random = new Random(length + 1);
        var value = RandomArray(random, length, 1f);
        var gradient = RandomArray(random, length, 0.1f);
        float[][] state = [RandomArray(random, length, 0.01f), RandomArray(random, length, 0.01f).Select(Math.Abs).ToArray()];
        float[][] plainState = [new float[length], new float[length]];
        float[][] observedState = [new float[length], new float[length]];
        var plain = new float[length];
        var observed = new float[length];

        optimizer.Update(value, gradient, state, plain, plainState, 0, length, 0.01f, 3, 1f, observe: false, measureOldValues: false).Should().Be(default(ParameterUpdateStatistics));
        optimizer.Update(value, gradient, state, observed, observedState, 0, length, 0.01f, 3, 1f, observe: true, measureOldValues: false);

        observed.Should().Equal(plain);
        observedState[0].Should().Equal(plainState[0]);
        observedState[1].Should().Equal(plainState[1]);
    }

    [Fact]
    public void Ranges_combine_to_the_whole()
    {
        const int length = 10_000;
        var optimizer = new HostOptimizer(new OptimizerOptions { Kind = OptimizerKind.Sgd });
        var random = new Random(5);
        var value = RandomArray(random, length, 1f);
        var gradient = RandomArray(random, length, 0.1f);
        var whole = new float[length];
        var pieces = new float[length];

        var expected = optimizer.Update(value, gradient, [], whole, [], 0, length, 0.1f, 1, 1f, observe: true, measureOldValues: true);
        var first = optimizer.Update(value, gradient, [], pieces, [], 0, 4096, 0.1f, 1, 1f, observe: true, measureOldValues: true);
        var second = optimizer.Update(value, gradient, [], pieces, [], 4096, 4096, 0.1f, 1, 1f, observe: true, measureOldValues: true);
        var third = optimizer.Update(value, gradient, [], pieces, [], 8192, length - 8192, 0.1f, 1, 1f, observe: true, measureOldValues: true);
        var combined = ParameterUpdateStatistics.Combine(ParameterUpdateStatistics.Combine(first, second), third);

        pieces.Should().Equal(whole);
        combined.Gradient.Count.Should().Be(length);
        Relative(combined.Gradient.SumOfSquares, expected.Gradient.SumOfSquares).Should().BeLessThan(1e-12);
        combined.Gradient.MaxAbs.Should().Be(expected.Gradient.MaxAbs);
        Relative(combined.UpdateSquares, expected.UpdateSquares).Should().BeLessThan(1e-12);
        Relative(combined.NewValueSquares, expected.NewValueSquares).Should().BeLessThan(1e-12);
        Relative(combined.OldValueSquares, expected.OldValueSquares).Should().BeLessThan(1e-12);
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    public void Non_finite_gradient_is_counted_apart(float bad)
    {
        const int length = 1000;
        var optimizer = new HostOptimizer(new OptimizerOptions { Kind = OptimizerKind.Sgd });
        var random = new Random(9);
        var value = RandomArray(random, length, 1f);
        var gradient = RandomArray(random, length, 0.1f);
        gradient[300] = bad;
        var newValue = new float[length];

        var measured = optimizer.Update(value, gradient, [], newValue, [], 0, length, 0.1f, 1, 1f, observe: true, measureOldValues: false);

        var finite = gradient.Where(float.IsFinite).ToArray();
        measured.Gradient.NonFiniteCount.Should().Be(1);
        Relative(measured.Gradient.SumOfSquares, finite.Sum(g => (double)g * g)).Should().BeLessThan(3e-6);
        measured.Gradient.MaxAbs.Should().Be(finite.Max(g => Math.Abs((double)g)));
        double.IsFinite(measured.UpdateSquares).Should().BeFalse("the update of the bad element is not finite");
        float.IsFinite(newValue[300]).Should().BeFalse();
        Relative(measured.NewValueSquares, newValue.Where(float.IsFinite).Sum(v => (double)v * v)).Should().BeLessThan(3e-6);
        value.Should().OnlyContain(v => float.IsFinite(v), "the pass writes only the new buffer");
    }

    [Fact]
    public void Tiny_and_zero_updates_sum_exactly()
    {
        // Updates of about 1e-25 have squares below float32's range; a block of zero gradient has a zero update.
        const int length = 2048;
        var optimizer = new HostOptimizer(new OptimizerOptions { Kind = OptimizerKind.Sgd });
        var random = new Random(13);
        var value = RandomArray(random, length, 1e-20f);
        var gradient = RandomArray(random, length, 1e-20f);
        Array.Clear(gradient, 0, 1024);
        var newValue = new float[length];

        var measured = optimizer.Update(value, gradient, [], newValue, [], 0, length, 1e-5f, 1, 1f, observe: true, measureOldValues: true);

        var expected = newValue.Select((v, i) => (double)(v - value[i])).Sum(d => d * d);
        expected.Should().BeInRange(1e-60, 1e-40);
        Relative(measured.UpdateSquares, expected).Should().BeLessThan(1e-12, "tiny blocks are summed in float64");
        Relative(measured.NewValueSquares, newValue.Sum(v => (double)v * v)).Should().BeLessThan(1e-12);
        Relative(measured.Gradient.SumOfSquares, gradient.Sum(g => (double)g * g)).Should().BeLessThan(1e-12);
        measured.Gradient.ZeroCount.Should().Be(1024);

        var zero = optimizer.Update(value, new float[length], [], newValue, [], 0, length, 0.1f, 1, 1f, observe: true, measureOldValues: false);
        zero.UpdateSquares.Should().Be(0);
        zero.Gradient.SumOfSquares.Should().Be(0);
        zero.Gradient.ZeroCount.Should().Be(length);
    }

    [Fact]
    public void Clipping_factor_follows_clip_grad_norm()
    {
        var optimizer = new HostOptimizer(new OptimizerOptions { Kind = OptimizerKind.Sgd, MaxGradientNorm = 1.0 });

        optimizer.ClippingFactor(5).Should().Be(1f / (5f + 1e-6f));
        optimizer.ClippingFactor(0.5).Should().Be(1f);
        float.IsNaN(optimizer.ClippingFactor(double.NaN)).Should().BeTrue();
        new HostOptimizer(new OptimizerOptions { Kind = OptimizerKind.Sgd }).ClippingFactor(100).Should().Be(1f);
    }

    [Fact]
    public void Mismatched_buffers_are_rejected()
    {
        var optimizer = new HostOptimizer(new OptimizerOptions { Kind = OptimizerKind.Adam });
        var act = () => optimizer.Update(new float[4], new float[4], [new float[4]], new float[4], [new float[4]], 0, 4, 0.1f, 1, 1f, observe: false, measureOldValues: false);

        act.Should().Throw<ArgumentException>().WithMessage("*2 state arrays*state 1*");

        var shortState = () => optimizer.Update(new float[40], new float[40], [new float[40], new float[40]], new float[40], [new float[40], new float[39]], 0, 40, 0.1f, 1, 1f, observe: false, measureOldValues: false);
        shortState.Should().Throw<ArgumentException>().WithMessage("*State array 1 has 40 elements and its new array 39.*");
    }

    private static float[] RandomArray(Random random, int length, float scale) =>
        Enumerable.Range(0, length).Select(_ => (float)((random.NextDouble() * 2) - 1) * scale).ToArray();

    private static double Relative(double actual, double expected)
    {
        if (expected != 0)
        {
            return Math.Abs(actual - expected) / Math.Abs(expected);
        }

        return actual == 0 ? 0 : double.PositiveInfinity;
    }
}
