using GradDiag.OrtBackend.Graphs;

namespace GradDiag.OrtBackend.Gradients.Rules;

/// <summary>
/// Conv with any number of spatial axes, strides, pads, auto_pad, dilations and groups. dX is the
/// transposed convolution of dY with W. dW is a convolution of X with dY in which the roles of stride
/// and dilation swap. dB sums dY over every axis except the channels.
/// </summary>
/// <remarks>
/// dW: X (N, C, in...) is regrouped to X' (C/g, g·N, in...) and dY (N, M, out...) transposed to
/// dY' (M, N, out...), so Conv(X', dY', strides = dilations, dilations = strides, same pads, group = g)
/// yields (C/g, M, k'...) with k' = k + ⌊r/d⌋. The first k entries per axis, transposed to
/// (M, C/g, k...), are dW. ONNX Runtime 1.32 has no float64 CPU kernels for Conv and ConvTranspose.
/// </remarks>
internal sealed class ConvRule : IGradientRule
{
    public IReadOnlyList<string> OpTypes { get; } = ["Conv"];

    public void Backward(GradientContext context)
    {
        var emit = context.Emit;
        var x = context.Input(0);
        var w = context.Input(1);
        var dy = context.OutputGradient(0)!;
        var weightDims = context.InputInfo(1).Dims;
        var kernel = context.Node.GetInts("kernel_shape")
            ?? (weightDims is { Length: > 2 } && weightDims[2..].All(d => d >= 0) ? weightDims[2..] : null)
            ?? throw context.Error("the kernel shape is unknown: set kernel_shape or give W a static shape.");
        var geometry = WindowGeometry.Read(context, kernel);
        var group = context.Node.GetInt("group", 1);
        var rank = kernel.Length + 2;

        if (context.RequiresGradient(0))
        {
            context.AddGradient(0, geometry.TransposedWindowSum(context, dy, w, group, x));
        }

        if (context.RequiresGradient(1))
        {
            context.AddGradient(1, WeightGradient(context, geometry, x, dy, group, weightDims));
        }

        if (context.RequiresGradient(2))
        {
            var axes = Enumerable.Range(0, rank).Where(a => a != 1).Select(a => (long)a).ToArray();
            context.AddGradient(2, emit.Reduce("ReduceSum", dy, axes, keepDims: false));
        }
    }

    private static string WeightGradient(GradientContext context, WindowGeometry geometry, string x, string dy, long group, long[]? weightDims)
    {
        if (group == 1 && geometry.HasStaticPads && geometry.Strides.All(s => s == 1) && geometry.Dilations.All(d => d == 1))
        {
            return WindowMatrixWeightGradient(context, geometry, x, dy);
        }

        var emit = context.Emit;
        var spatial = geometry.SpatialRank;
        var swap = SwapFirstTwoAxes(spatial + 2);

        var (input, pads) = geometry.PaddedForWindow(emit, x);
        string regrouped;
        if (group == 1)
        {
            regrouped = emit.Op("Transpose", [input], Attributes.Ints("perm", swap));
        }
        else
        {
            var channelsPerGroup = weightDims is { Length: > 1 } && weightDims[1] >= 0
                ? weightDims[1]
                : throw context.Error("grouped convolution needs W's dimension 1 (input channels per group) at build time.");
            var shape = emit.Shape(input);
            var batch = emit.Op("Slice", [shape, emit.Int64s(0), emit.Int64s(1)]);
            var spatialShape = emit.Op("Slice", [shape, emit.Int64s(2), emit.Int64s(long.MaxValue)]);
            var split = emit.Op("Concat", [batch, emit.Int64s(group, channelsPerGroup), spatialShape], Attributes.Int("axis", 0));
            var perm = new long[spatial + 3];
            perm[0] = 2;
            perm[1] = 1;
            perm[2] = 0;
            for (var i = 3; i < perm.Length; i++)
            {
                perm[i] = i;
            }

            var moved = emit.Op("Transpose", [emit.Op("Reshape", [input, split])], Attributes.Ints("perm", perm));
            var merged = emit.Op("Concat", [emit.Int64s(channelsPerGroup, -1), spatialShape], Attributes.Int("axis", 0));
            regrouped = emit.Op("Reshape", [moved, merged]);
        }

        var filters = emit.Op("Transpose", [dy], Attributes.Ints("perm", swap));
        var correlation = emit.Op(
            "Conv",
            [regrouped, filters],
            Attributes.Ints("strides", geometry.Dilations),
            Attributes.Ints("dilations", geometry.Strides),
            Attributes.Ints("pads", pads),
            Attributes.Int("group", group));

        var remainders = geometry.Remainders();
        var needsTrim = remainders is null || Enumerable.Range(0, spatial).Any(i => remainders[i] / geometry.Dilations[i] > 0);
        if (needsTrim)
        {
            var axes = Enumerable.Range(2, spatial).Select(a => (long)a).ToArray();
            correlation = emit.Op("Slice", [correlation, emit.Int64s(new long[spatial]), emit.Int64s(geometry.Kernel), emit.Int64s(axes)]);
        }

        return emit.Op("Transpose", [correlation], Attributes.Ints("perm", swap));
    }

    /// <summary>
    /// Emits dW for a convolution with group 1, stride 1 and dilation 1 as one matrix product. Every kernel
    /// offset's window of the padded input is sliced out, so that the windows form a (C·k..., N·out...) matrix,
    /// and dY transposed to (M, N·out...) times its transpose is dW as (M, C·k...).
    /// </summary>
    /// <remarks>
    /// The general formulation's Conv has a kernel as large as dY's spatial size, which ONNX Runtime runs slowly.
    /// For the second convolution of bench_cnn (16 to 32 channels, 3 × 3, 14 × 14, batch 64) it took 4.8 ms, and
    /// this form about 1.6 ms. The slices cost one copy of the input per kernel offset.
    /// </remarks>
    private static string WindowMatrixWeightGradient(GradientContext context, WindowGeometry geometry, string x, string dy)
    {
        var emit = context.Emit;
        var spatial = geometry.SpatialRank;
        var channelsFirst = SwapFirstTwoAxes(spatial + 2);

        // (N, C, in...) padded, then (C, N, in...), so that each window slice is already in the matrix's order.
        var input = x;
        if (geometry.AnyPadding)
        {
            long[] pads = [0, 0, .. geometry.PadsBegin!, 0, 0, .. geometry.PadsEnd!];
            input = emit.Op("Pad", [x, emit.Int64s(pads)], Attributes.String("mode", "constant"));
        }

        input = emit.Op("Transpose", [input], Attributes.Ints("perm", channelsFirst));
        var outSize = emit.Op("Slice", [emit.Shape(dy), emit.Int64s(2), emit.Int64s(long.MaxValue)]);
        var axes = emit.Int64s([.. Enumerable.Range(2, spatial).Select(a => (long)a)]);
        var windows = new List<string>();
        var offset = new long[spatial];
        while (true)
        {
            var starts = emit.Int64s([.. offset]);
            var window = emit.Op("Slice", [input, starts, emit.Op("Add", [starts, outSize]), axes]);
            windows.Add(emit.Unsqueeze(window, 1));

            // The next offset in row-major order over the kernel, which is the order of dW's trailing axes.
            var axis = spatial - 1;
            while (axis >= 0 && ++offset[axis] == geometry.Kernel[axis])
            {
                offset[axis] = 0;
                axis--;
            }

            if (axis < 0)
            {
                break;
            }
        }

        // (C, K, N, out...) flattened to (C·K, N·out...), and dY (N, M, out...) to (M, N·out...).
        var stacked = windows.Count == 1 ? windows[0] : emit.Op("Concat", windows, Attributes.Int("axis", 1));
        var columns = emit.Op("Flatten", [stacked], Attributes.Int("axis", 2));
        var rows = emit.Op("Flatten", [emit.Op("Transpose", [dy], Attributes.Ints("perm", channelsFirst))], Attributes.Int("axis", 1));
        var product = emit.Op("Gemm", [rows, columns], Attributes.Int("transB", 1));
        return emit.Op("Reshape", [product, emit.Shape(context.Input(1))]);
    }

    /// <summary>Returns the permutation (1, 0, 2, 3, …) of <paramref name="rank"/> axes.</summary>
    private static long[] SwapFirstTwoAxes(int rank)
    {
        var perm = new long[rank];
        perm[0] = 1;
        for (var i = 2; i < rank; i++)
        {
            perm[i] = i;
        }

        return perm;
    }
}
