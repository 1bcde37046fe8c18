using System.Collections.Immutable;

namespace GradDiag.Detectors.Tests;

/// <summary>
/// Builds labelled traces deterministically from seeded noise. Norms carry log-normal noise, as batch-to-batch
/// gradient norms do; "live" traces carry every statistic, "offline" traces only the norm, as read back from a log.
/// </summary>
public static class TraceGenerator
{
    public static string PyTorchName(int layer) => layer == 0 ? "dense.weight" : $"dense_{layer}.weight";

    public static string KerasName(int layer) => layer == 0 ? "dense/kernel:0" : $"dense_{layer}/kernel:0";

    /// <summary>Six layers, 200 steps, norms drifting down slowly with two ~25x spikes at steps 37 and 120.</summary>
    public static Trace HealthyWithSpikes(string name, Func<int, string> naming, int seed)
    {
        var random = new Random(seed);
        return Offline(name, 6, 200, naming, [], (layer, step) =>
        {
            double norm = (0.55 + (0.08 * layer)) * (1 - (0.45 * step / 200.0)) * Noise(random, 0.12);
            return step is 37 or 120 ? norm * 25 : norm;
        });
    }

    /// <summary>Six layers, 200 steps: input-side layers orders of magnitude smaller than output-side ones, every layer decaying.</summary>
    public static Trace FixtureVanishing(string name, Func<int, string> naming, int seed)
    {
        var random = new Random(seed);
        return Offline(name, 6, 200, naming, [FindingKind.Vanishing], (layer, step) =>
            Math.Pow(10, -7.3 + (1.45 * layer) - (step / 200.0)) * Noise(random, 0.15));
    }

    /// <summary>Six layers, 200 steps: steady for 60 steps, then every layer grows by 25% per step.</summary>
    public static Trace FixtureExploding(string name, Func<int, string> naming, int seed)
    {
        var random = new Random(seed);
        return Offline(name, 6, 200, naming, [FindingKind.Exploding], (layer, step) =>
            (0.6 + (0.08 * layer)) * Math.Pow(1.25, Math.Max(0, step - 61)) * Noise(random, 0.12));
    }

    /// <summary>A healthy run logged every 10 steps with some records missing.</summary>
    public static Trace HealthyWithGaps()
    {
        var random = new Random(11);
        Trace dense = Offline("healthy_gaps", 6, 4000, PyTorchName, [], (layer, step) => (0.4 + (0.1 * layer)) * Math.Exp(-step / 8000.0) * Noise(random, 0.15));
        var kept = dense.Steps.Where(s => s.Step % 10 == 0 && s.Step % 70 != 0).ToList();
        return dense with { Steps = kept };
    }

    /// <summary>A model that converges slowly over 600 steps: norms and loss fall gently, update ratios stay near 1e-3.</summary>
    public static Trace SlowConvergence()
    {
        var random = new Random(21);
        return Live("slow_convergence", 6, 600, [], (layer, step) =>
        {
            double norm = (0.3 + (0.1 * layer)) * Math.Exp(-step / 900.0) * Noise(random, 0.2);
            double weights = 8 + layer;
            return Stats(norm, weights, weights * 1e-3 * Noise(random, 0.2), 0.3);
        }, step => 0.1 + (2.2 * Math.Exp(-step / 700.0)));
    }

    /// <summary>A model that fits its data: gradients fall ten-fold every 50 steps while the loss falls too. Converging, not vanishing.</summary>
    public static Trace FastConvergence()
    {
        var random = new Random(22);
        return Offline("fast_convergence", 6, 250, PyTorchName, [], (layer, step) =>
            (0.5 + (0.1 * layer)) * Math.Pow(10, -step / 50.0) * Noise(random, 0.15),
            step => 2 * Math.Exp(-step / 40.0));
    }

    /// <summary>
    /// A ten-layer sigmoid MLP under SGD: each layer towards the input gets a quarter of the gradient of the next,
    /// and the input side decays; the loss is stuck. The input-side updates are tiny too, so the update-ratio
    /// detector rightly reports them as well.
    /// </summary>
    public static Trace DeepSigmoidVanishing()
    {
        var random = new Random(31);
        return Live("deep_sigmoid_vanishing", 10, 300, [FindingKind.Vanishing, FindingKind.UpdateRatio], (layer, step) =>
        {
            double decay = layer < 5 ? Math.Exp(-step / 150.0) : 1;
            double norm = 0.8 * Math.Pow(0.25, 9 - layer) * decay * Noise(random, 0.15);
            double weights = 5;
            return Stats(norm, weights, 0.01 * norm, 0.1);
        }, step => 2.30 + (0.01 * Math.Sin(step)));
    }

    /// <summary>Healthy for 150 steps, then the learning rate jumps 100-fold: norms jump 30-fold and keep rising slowly, updates become huge.</summary>
    public static Trace ExplodingAfterLearningRateJump()
    {
        var random = new Random(41);
        return Live("exploding_lr_jump", 6, 300, [FindingKind.Exploding, FindingKind.UpdateRatio], (layer, step) =>
        {
            double jump = step < 150 ? 1 : 30 * Math.Pow(1.01, step - 150);
            double norm = (0.4 + (0.1 * layer)) * jump * Noise(random, 0.2);
            double weights = 8 + layer;
            double ratio = step < 150 ? 1e-3 : 0.3;
            return Stats(norm, weights, weights * ratio * Noise(random, 0.2), 0.3);
        }, step => step < 150 ? 2 * Math.Exp(-step / 300.0) : 3 + (0.01 * step), step => step < 150 ? 1e-3 : 0.1);
    }

    /// <summary>Steady for 60 steps, then norms grow 30% per step until they overflow to +Inf at step 150 and turn NaN from step 155, loss included.</summary>
    public static Trace ExplodingThenNaN()
    {
        var random = new Random(51);
        Trace trace = Offline("exploding_then_nan", 6, 200, PyTorchName, [FindingKind.Exploding, FindingKind.NonFinite], (layer, step) => step switch
        {
            >= 155 => double.NaN,
            >= 150 => double.PositiveInfinity,
            _ => (0.5 + (0.1 * layer)) * Math.Pow(1.3, Math.Max(0, step - 60)) * Noise(random, 0.1),
        }, step => step switch
        {
            >= 155 => double.NaN,
            >= 150 => double.PositiveInfinity,
            _ => 2 - (0.004 * step),
        });
        return trace;
    }

    /// <summary>From step 20, 99.8% of the gradient of one ReLU layer is zero.</summary>
    public static Trace DeadReluLayer()
    {
        var random = new Random(61);
        return Live("dead_relu_layer", 6, 200, [FindingKind.DeadLayer], (layer, step) =>
        {
            bool dead = layer == 2 && step >= 20;
            double norm = (0.4 + (0.1 * layer)) * (dead ? 0.05 : 1) * Noise(random, 0.15);
            double weights = 8 + layer;
            return Stats(norm, weights, weights * 1e-3 * Noise(random, 0.2), dead ? 0.998 : 0.4);
        }, step => 2 * Math.Exp(-step / 300.0));
    }

    /// <summary>The input-side layer is frozen (not trainable) and gets a zero gradient; the rest trains normally.</summary>
    public static Trace FrozenLayer()
    {
        var random = new Random(71);
        Trace trace = Live("frozen_layer", 6, 200, [], (layer, step) =>
        {
            if (layer == 0)
            {
                return Stats(0, 12, 0, 1);
            }

            double norm = (0.4 + (0.1 * layer)) * Noise(random, 0.15);
            double weights = 8 + layer;
            return Stats(norm, weights, weights * 1e-3 * Noise(random, 0.2), 0.3);
        }, step => 2 * Math.Exp(-step / 300.0), trainable: layer => layer != 0);
        return trace with { ExpectedInformation = [FindingKind.Frozen] };
    }

    /// <summary>Healthy gradients, but every update rewrites 30% of the weights.</summary>
    public static Trace UpdatesTooLarge()
    {
        var random = new Random(81);
        return Live("updates_too_large", 6, 200, [FindingKind.UpdateRatio], (layer, step) =>
        {
            double norm = (0.4 + (0.1 * layer)) * Noise(random, 0.15);
            double weights = 8 + layer;
            return Stats(norm, weights, weights * 0.3 * Noise(random, 0.2), 0.3);
        }, step => 2 * Math.Exp(-step / 300.0));
    }

    /// <summary>A healthy run with one bad batch at step 100: NaN gradient in one layer and an infinite loss.</summary>
    public static Trace SingleNaNBatch()
    {
        var random = new Random(91);
        Trace trace = Live("single_nan_batch", 6, 200, [FindingKind.NonFinite], (layer, step) =>
        {
            double weights = 8 + layer;
            if (step == 100 && layer == 3)
            {
                return new ParameterStatistics(double.NaN, double.NaN, double.NaN, double.NaN, 0.3, 17, weights, double.NaN, double.NaN, double.NaN);
            }

            double norm = (0.4 + (0.1 * layer)) * Noise(random, 0.15);
            return Stats(norm, weights, weights * 1e-3 * Noise(random, 0.2), 0.3);
        }, step => step == 100 ? double.PositiveInfinity : 2 * Math.Exp(-step / 300.0));
        return trace;
    }

    public static ParameterStatistics Stats(double norm, double weights, double update, double zeroFraction) =>
        new(norm, double.NaN, double.NaN, double.NaN, zeroFraction, 0, weights, norm / weights, update, update / weights);

    public static ParameterSet Parameters(int layers, Func<int, string> naming, Func<int, bool>? trainable = null) =>
        new(Enumerable.Range(0, layers).Select(i => new ParameterDescriptor(naming(i), ImmutableArray.Create(64L, 64L), i, trainable?.Invoke(i) ?? true)));

    public static double Noise(Random random, double sigma)
    {
        // Box-Muller: a standard normal from two uniforms, then a log-normal factor with median 1.
        double u1 = 1.0 - random.NextDouble();
        double u2 = random.NextDouble();
        double normal = Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
        return Math.Exp(sigma * normal);
    }

    private static Trace Offline(string name, int layers, int steps, Func<int, string> naming, FindingKind[] expected, Func<int, int, double> norm, Func<int, double>? loss = null)
    {
        ParameterSet parameters = Parameters(layers, naming);
        var list = new List<TraceStep>(steps);
        for (int step = 0; step < steps; step++)
        {
            var statistics = new ParameterStatistics[layers];
            for (int layer = 0; layer < layers; layer++)
            {
                statistics[layer] = ParameterStatistics.FromNorm(norm(layer, step));
            }

            list.Add(new TraceStep(step, loss?.Invoke(step) ?? 2.0 / (1 + (step / 100.0)), double.NaN, statistics));
        }

        return new Trace(name, parameters, list, expected);
    }

    private static Trace Live(string name, int layers, int steps, FindingKind[] expected, Func<int, int, ParameterStatistics> statistics, Func<int, double> loss, Func<int, double>? learningRate = null, Func<int, bool>? trainable = null)
    {
        ParameterSet parameters = Parameters(layers, i => $"fc{i}.weight", trainable);
        var list = new List<TraceStep>(steps);
        for (int step = 0; step < steps; step++)
        {
            var perParameter = new ParameterStatistics[layers];
            for (int layer = 0; layer < layers; layer++)
            {
                perParameter[layer] = statistics(layer, step);
            }

            list.Add(new TraceStep(step, loss(step), learningRate?.Invoke(step) ?? 1e-3, perParameter));
        }

        return new Trace(name, parameters, list, expected);
    }
}
