using GradDiag.OrtBackend.Models;
using GradDiag.OrtBackend.Standalone;
using GradDiag.OrtBackend.Statistics;
using GradDiag.OrtBackend.Tests.Support;
using Microsoft.ML.OnnxRuntime;

namespace GradDiag.OrtBackend.Tests.Statistics;

public class GradientStatisticsGraphTests
{
    private static readonly ParameterSpec[] Parameters =
    [
        new("conv.weight", DataTypes.Float, [4, 3, 3, 3]),
        new("conv.bias", DataTypes.Float, [4]),
        new("fc.weight", DataTypes.Float, [10, 50]),
        new("scalar", DataTypes.Float, []),
    ];

    [Fact]
    public void Statistics_match_float64_reference()
    {
        var feeds = RandomFeeds(seed: 5);
        var output = RunStatistics(Parameters, feeds);

        output.Length.Should().Be(Parameters.Length * GradientStatisticsLayout.ColumnCount);
        for (var i = 0; i < Parameters.Length; i++)
        {
            var name = Parameters[i].Name;
            var expected = Reference(feeds[name + "_grad"].Values);
            var actual = GradientStatisticsLayout.ReadRow(output, i, Parameters[i].ElementCount);
            var scale = expected.SumOfSquares;

            actual.Count.Should().Be(expected.Count, name);
            actual.NonFiniteCount.Should().Be(expected.NonFiniteCount, name);
            actual.ZeroCount.Should().Be(expected.ZeroCount, name);
            actual.MaxAbs.Should().Be((float)expected.MaxAbs, name);

            // Float32 accumulation of at most 500 terms: the bound (n−1)·u·Σ|x| is below 3e-5·Σ|x|.
            actual.SumOfSquares.Should().BeApproximately(expected.SumOfSquares, 3e-5 * scale + 1e-30, name);
            actual.Sum.Should().BeApproximately(expected.Sum, 3e-5 * SumAbs(feeds[name + "_grad"].Values), name);

            var parameterSquares = Reference(feeds[name].Values).SumOfSquares;
            GradientStatisticsLayout.ReadParameterSumOfSquares(output, i).Should().BeApproximately(parameterSquares, 3e-5 * parameterSquares, name);
        }
    }

    [Fact]
    public void Statistics_ignore_infinity_in_sums()
    {
        var parameters = new[] { new ParameterSpec("w", DataTypes.Float, [4]) };
        var feeds = new Dictionary<string, (float[], long[])>
        {
            ["w"] = ([1f, 2f, float.PositiveInfinity, 0f], [4]),
            ["w_grad"] = ([float.PositiveInfinity, -3f, float.NaN, 0f], [4]),
        };

        var row = GradientStatisticsLayout.ReadRow(RunStatistics(parameters, feeds), 0, 4);

        row.SumOfSquares.Should().Be(9);
        row.Sum.Should().Be(-3);
        row.MaxAbs.Should().Be(3);
        row.NonFiniteCount.Should().Be(2);
        row.ZeroCount.Should().Be(1);
        GradientStatisticsLayout.ReadParameterSumOfSquares(RunStatistics(parameters, feeds), 0).Should().Be(5);
    }

    [Fact]
    public void Statistics_all_non_finite_gives_zero_max()
    {
        var parameters = new[] { new ParameterSpec("w", DataTypes.Float, [2]) };
        var feeds = new Dictionary<string, (float[], long[])>
        {
            ["w"] = ([1f, 1f], [2]),
            ["w_grad"] = ([float.NaN, float.NegativeInfinity], [2]),
        };

        var row = GradientStatisticsLayout.ReadRow(RunStatistics(parameters, feeds), 0, 2);

        row.MaxAbs.Should().Be(0);
        row.SumOfSquares.Should().Be(0);
        row.NonFiniteCount.Should().Be(2);
    }

    [Fact]
    public void Statistics_casts_double_gradient()
    {
        var model = GradientStatisticsGraph.Build([new ParameterSpec("w", DataTypes.Double, [3])]);
        using var session = new InferenceSession(model.ToByteArray());
        using var parameter = OrtValue.CreateTensorValueFromMemory(new[] { 1.0, -2.0, 2.0 }, [3]);
        using var gradient = OrtValue.CreateTensorValueFromMemory(new[] { 0.5, double.NaN, -1.5 }, [3]);
        using var runOptions = new RunOptions();

        using var results = session.Run(runOptions, ["w", "w_grad"], [parameter, gradient], [GradientStatisticsGraph.OutputName]);
        var row = GradientStatisticsLayout.ReadRow(results[0].GetTensorDataAsSpan<float>(), 0, 3);

        row.SumOfSquares.Should().Be(2.5);
        row.Sum.Should().Be(-1);
        row.MaxAbs.Should().Be(1.5);
        row.NonFiniteCount.Should().Be(1);
        GradientStatisticsLayout.ReadParameterSumOfSquares(results[0].GetTensorDataAsSpan<float>(), 0).Should().Be(9);
    }

    [Fact]
    public void Statistics_model_passes_onnx_structure()
    {
        var model = GradientStatisticsGraph.Build(Parameters);

        model.IrVersion.Should().Be(10);
        model.Opset.Should().Be(21);
        model.OutputNames.Should().Equal(GradientStatisticsGraph.OutputName);
        model.InputNames.Should().HaveCount(2 * Parameters.Length);
        model.InputNames[1].Should().Be("conv.weight_grad");
    }

    [Fact]
    public void Statistics_rejects_duplicate_name()
    {
        var act = () => GradientStatisticsGraph.Build([new("w", DataTypes.Float, [2]), new("w", DataTypes.Float, [3])]);

        act.Should().Throw<ArgumentException>().WithMessage("*'w' is listed twice*");
    }

    [Fact]
    public void Statistics_rejects_integer_parameter()
    {
        var act = () => GradientStatisticsGraph.Build([new("steps", DataTypes.Int64, [1])]);

        act.Should().Throw<ArgumentException>().WithMessage("*'steps' INT64[1]*floating-point*");
    }

    private static float[] RunStatistics(IReadOnlyList<ParameterSpec> parameters, Dictionary<string, (float[] Values, long[] Dims)> feeds)
    {
        var model = GradientStatisticsGraph.Build(parameters);
        return OrtRunner.Run(model, feeds)[GradientStatisticsGraph.OutputName];
    }

    /// <summary>Random values with NaN, ±Inf and exact zeros sprinkled in, for every parameter and gradient.</summary>
    private static Dictionary<string, (float[] Values, long[] Dims)> RandomFeeds(int seed)
    {
        var random = new Random(seed);
        var feeds = new Dictionary<string, (float[], long[])>();
        foreach (var parameter in Parameters)
        {
            var count = (int)parameter.ElementCount;
            feeds[parameter.Name] = (Enumerable.Range(0, count).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray(), parameter.Dims);
            var gradient = new float[count];
            for (var j = 0; j < count; j++)
            {
                gradient[j] = random.Next(20) switch
                {
                    0 => float.NaN,
                    1 => float.PositiveInfinity,
                    2 => float.NegativeInfinity,
                    3 or 4 => 0f,
                    _ => (float)(((random.NextDouble() * 2) - 1) * Math.Pow(10, random.Next(-4, 3))),
                };
            }

            feeds[parameter.Name + "_grad"] = (gradient, parameter.Dims);
        }

        return feeds;
    }

    private static TensorStatistics Reference(float[] values)
    {
        double sumOfSquares = 0, sum = 0, maxAbs = 0;
        long nonFinite = 0, zeros = 0;
        foreach (var value in values)
        {
            if (!float.IsFinite(value))
            {
                nonFinite++;
                continue;
            }

            zeros += value == 0 ? 1 : 0;
            sumOfSquares += (double)value * value;
            sum += value;
            maxAbs = Math.Max(maxAbs, Math.Abs(value));
        }

        return new TensorStatistics(values.Length, sumOfSquares, sum, maxAbs, nonFinite, zeros);
    }

    private static double SumAbs(float[] values) => values.Where(float.IsFinite).Sum(v => Math.Abs((double)v));
}
