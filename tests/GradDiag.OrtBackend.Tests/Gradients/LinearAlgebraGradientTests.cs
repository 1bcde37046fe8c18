using GradDiag.OrtBackend.Graphs;
using GradDiag.OrtBackend.Models;
using GradDiag.OrtBackend.Tests.Support;

namespace GradDiag.OrtBackend.Tests.Gradients;

public class LinearAlgebraGradientTests
{
    private static long[] OutputDims(long[] a, long[] b)
    {
        if (a.Length == 1 && b.Length == 1)
        {
            return [];
        }

        if (a.Length == 1)
        {
            return [.. b[..^2], b[^1]];
        }

        if (b.Length == 1)
        {
            return a[..^1];
        }

        var rank = Math.Max(a.Length, b.Length) - 2;
        var batch = new long[rank];
        for (var i = 0; i < rank; i++)
        {
            var da = i - (rank - (a.Length - 2)) >= 0 ? a[i - (rank - (a.Length - 2))] : 1;
            var db = i - (rank - (b.Length - 2)) >= 0 ? b[i - (rank - (b.Length - 2))] : 1;
            batch[i] = Math.Max(da, db);
        }

        return [.. batch, a[^2], b[^1]];
    }

    [Theory]
    [InlineData(new long[] { 3, 4 }, new long[] { 4, 5 })]
    [InlineData(new long[] { 2, 1, 3, 4 }, new long[] { 5, 4, 6 })]
    [InlineData(new long[] { 4 }, new long[] { 4, 5 })]
    [InlineData(new long[] { 4 }, new long[] { 2, 4, 5 })]
    [InlineData(new long[] { 3, 4 }, new long[] { 4 })]
    [InlineData(new long[] { 2, 3, 4 }, new long[] { 4 })]
    [InlineData(new long[] { 4 }, new long[] { 4 })]
    public void MatMul_shapes_match(long[] aDims, long[] bDims)
    {
        var g = new GraphBuilder();
        var a = g.Initializer("a", aDims, TestData.Uniform(TestData.Count(aDims), 21));
        var b = g.Initializer("b", bDims, TestData.Uniform(TestData.Count(bDims), 22));
        var y = g.Node("MatMul", [a, b]);
        var yDims = OutputDims(aDims, bDims);
        var loss = yDims.Length == 0 ? g.Node("Mul", [y, g.Initializer("k", [], [0.7])]) : g.WeightedSumLoss(y, yDims);
        if (yDims.Length == 0)
        {
            g.Output(loss, []);
        }

        var result = GradientChecker.Check(g, loss, new Dictionary<string, Feed>(), ["a", "b"]);

        GradientChecker.AssertClose(result, DataTypes.Double);
    }

    [Fact]
    public void MatMul_symbolic_batch_matches()
    {
        var g = new GraphBuilder();
        var x = g.Input("x", [null, 3, 4]);
        var w = g.Initializer("w", [4, 2], TestData.Uniform(8, 23));
        var y = g.Node("MatMul", [x, w]);
        var loss = g.WeightedSumLoss(y, [3, 3, 2]);
        var feeds = new Dictionary<string, Feed> { ["x"] = new(TestData.Uniform(36, 24), [3, 3, 4], DataTypes.Double) };

        var result = GradientChecker.Check(g, loss, feeds, ["w"]);

        GradientChecker.AssertClose(result, DataTypes.Double);
    }

    [Theory]
    [InlineData(0, 0, new long[] { 4 })]
    [InlineData(0, 1, new long[] { 3, 1 })]
    [InlineData(1, 0, new long[] { 3, 4 })]
    [InlineData(1, 1, new long[] { 1, 4 })]
    [InlineData(0, 0, new long[] { })]
    public void Gemm_transposes_and_bias_match(int transA, int transB, long[] cDims)
    {
        const int M = 3, K = 5, N = 4;
        var g = new GraphBuilder();
        long[] aDims = transA == 1 ? [K, M] : [M, K];
        long[] bDims = transB == 1 ? [N, K] : [K, N];
        var a = g.Initializer("a", aDims, TestData.Uniform(M * K, 31));
        var b = g.Initializer("b", bDims, TestData.Uniform(K * N, 32));
        var c = g.Initializer("c", cDims, TestData.Uniform(TestData.Count(cDims), 33));
        var y = g.Node("Gemm", [a, b, c], Attributes.Float("alpha", 0.75f), Attributes.Float("beta", 1.5f), Attributes.Int("transA", transA), Attributes.Int("transB", transB));
        var loss = g.WeightedSumLoss(y, [M, N]);

        var result = GradientChecker.Check(g, loss, new Dictionary<string, Feed>(), ["a", "b", "c"]);

        GradientChecker.AssertClose(result, DataTypes.Double);
    }

    [Fact]
    public void Gemm_without_bias_matches()
    {
        var g = new GraphBuilder();
        var x = g.Input("x", [null, 3]);
        var w = g.Initializer("w", [2, 3], TestData.Uniform(6, 34));
        var y = g.Node("Gemm", [x, w], Attributes.Int("transB", 1));
        var loss = g.WeightedSumLoss(y, [4, 2]);
        var feeds = new Dictionary<string, Feed> { ["x"] = new(TestData.Uniform(12, 35), [4, 3], DataTypes.Double) };

        var result = GradientChecker.Check(g, loss, feeds, ["w"]);

        GradientChecker.AssertClose(result, DataTypes.Double);
    }
}
