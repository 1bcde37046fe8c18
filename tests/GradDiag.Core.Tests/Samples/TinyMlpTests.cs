using GradDiag.Samples.TinyMlp;

namespace GradDiag.Core.Tests.Samples;

public class TinyMlpTests
{
    [Theory]
    [InlineData("tanh", 1)]
    [InlineData("sigmoid", 3)]
    [InlineData("relu", 2)]
    public void Backend_Gradients_MatchFiniteDifferences(string activation, int depth)
    {
        using var backend = new TinyMlpBackend(new TinyMlpOptions { Activation = activation, Depth = depth, Width = 5, Seed = 3 });
        TrainingBatch batch = new TinyMlpData(exampleCount: 16, batchSize: 8, seed: 3).NextBatch();

        backend.ComputeGradients(batch);

        for (int p = 0; p < backend.Parameters.Count; p++)
        {
            float[] values = backend.GetValues(p);
            float[] gradient = backend.GetGradient(p).ToArray();
            for (int j = 0; j < values.Length; j += Math.Max(1, values.Length / 4))
            {
                double numeric = CentralDifference(backend, batch, values, j);
                double tolerance = 2e-4 + (2e-2 * Math.Abs(numeric));
                gradient[j].Should().BeApproximately(
                    (float)numeric, (float)tolerance, "d loss / d {0}[{1}] with {2}", backend.Parameters[p].Name, j, activation);
            }
        }
    }

    [Fact]
    public void Run_Default_IsHealthyAndLearns()
    {
        var output = new StringWriter();

        RunReport report = Program.Run(new TinyMlpOptions(), output);

        report.Verdict.Should().Be(Verdict.Healthy);
        report.StepsObserved.Should().Be(300);
        report.Layers.Should().HaveCount(4);
        report.Layers.Should().OnlyContain(l => l.NonFiniteSteps == 0);
        double firstLoss = LossAt(output.ToString(), 0);
        double lastLoss = LossAt(output.ToString(), 275);
        lastLoss.Should().BeLessThan(firstLoss / 2);
        output.ToString().Should().Contain("Verdict: Healthy");
    }

    [Fact]
    public void Run_HighLearningRate_Explodes()
    {
        var output = new StringWriter();

        RunReport report = Program.Run(new TinyMlpOptions { LearningRate = 50, Steps = 60 }, output);

        report.Verdict.Should().Be(Verdict.Failing);
        report.Findings.Should().ContainSingle(f => f.Kind == FindingKind.Exploding || f.Kind == FindingKind.NonFinite);
        report.Layers.Should().Contain(l => l.NonFiniteSteps > 0);
    }

    [Fact]
    public void Run_DeepSigmoid_Vanishes()
    {
        var output = new StringWriter();

        RunReport report = Program.Run(new TinyMlpOptions { Depth = 8, Activation = "sigmoid", Steps = 60 }, output);

        report.Verdict.Should().Be(Verdict.Failing);
        Finding vanishing = report.Findings.Should().ContainSingle().Which;
        vanishing.Kind.Should().Be(FindingKind.Vanishing);
        vanishing.Parameters.Should().Equal("fc1.weight");
        report.Layers[0].WorstSeverity.Should().Be(Severity.Error);
        report.Layers[0].MedianNorm.Should().BeLessThan(report.Layers[^1].MedianNorm * 1e-3);
    }

    [Fact]
    public void Backend_BadBatch_ThrowsNamingInput()
    {
        using var backend = new TinyMlpBackend(new TinyMlpOptions());
        TrainingBatch batch = new TrainingBatch().Add("x", new float[6], 2, 3).Add("y", new float[2], 2, 1);

        Action compute = () => backend.ComputeGradients(batch);

        compute.Should().Throw<ArgumentException>().WithMessage("*'x'*[batch, 2]*[2, 3]*");
    }

    [Fact]
    public void ParseArguments_Options_AreRead()
    {
        TinyMlpOptions options = Program.ParseArguments(["--lr", "50", "--depth", "8", "--activation", "sigmoid"]);

        options.LearningRate.Should().Be(50);
        options.Depth.Should().Be(8);
        options.Activation.Should().Be("sigmoid");
    }

    [Fact]
    public void ParseArguments_UnknownOption_Throws()
    {
        Action parse = () => Program.ParseArguments(["--speed", "2"]);

        parse.Should().Throw<ArgumentException>().WithMessage("*'--speed'*");
    }

    private static double CentralDifference(TinyMlpBackend backend, TrainingBatch batch, float[] values, int index)
    {
        // The loss is computed in float64, so a small step stays precise. A ReLU kink inside ±ε would break
        // the comparison, and the fixed seeds keep the probed points clear of one.
        const float Epsilon = 1e-3f;
        float original = values[index];
        values[index] = original + Epsilon;
        double plusStep = values[index] - original;
        double lossPlus = backend.Evaluate(batch);
        values[index] = original - Epsilon;
        double minusStep = original - values[index];
        double lossMinus = backend.Evaluate(batch);
        values[index] = original;
        return (lossPlus - lossMinus) / (plusStep + minusStep);
    }

    private static double LossAt(string output, int step)
    {
        string line = output.Split('\n').First(l => l.StartsWith($"step {step,5}  loss", StringComparison.Ordinal));
        string value = line.Split("loss", StringSplitOptions.TrimEntries)[1].Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];
        return double.Parse(value, System.Globalization.CultureInfo.InvariantCulture);
    }
}
