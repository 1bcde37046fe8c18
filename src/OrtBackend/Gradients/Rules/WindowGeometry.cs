using GradDiag.OrtBackend.Graphs;

namespace GradDiag.OrtBackend.Gradients.Rules;

/// <summary>
/// The sliding-window attributes shared by Conv, AveragePool and MaxPool (kernel, strides, dilations,
/// pads, auto_pad) and the transposed-window sum their gradients are built from.
/// </summary>
/// <remarks>
/// Per spatial axis the effective kernel is eff = (k−1)·d + 1, the output size is
/// ⌊(H + p_begin + p_end − eff)/s⌋ + 1, and r = (H + p_begin + p_end − eff) mod s input rows at the end
/// fall into no window. Pads are known at build time unless auto_pad is SAME_UPPER or SAME_LOWER, the
/// stride is above 1 and the spatial size is unknown until run time. Then the graph computes them.
/// </remarks>
internal sealed class WindowGeometry
{
    private WindowGeometry(long[] kernel, long[] strides, long[] dilations, long[]? padsBegin, long[]? padsEnd, long[]? inputSize, string autoPad)
    {
        Kernel = kernel;
        Strides = strides;
        Dilations = dilations;
        PadsBegin = padsBegin;
        PadsEnd = padsEnd;
        InputSize = inputSize;
        AutoPad = autoPad;
    }

    public long[] Kernel { get; }

    public long[] Strides { get; }

    public long[] Dilations { get; }

    /// <summary>Gets the begin pads per spatial axis, or null when they are computed at run time.</summary>
    public long[]? PadsBegin { get; }

    /// <summary>Gets the end pads per spatial axis, or null when they are computed at run time.</summary>
    public long[]? PadsEnd { get; }

    /// <summary>Gets the spatial input size, or null when some dimension is unknown at build time.</summary>
    public long[]? InputSize { get; }

    public string AutoPad { get; }

    public int SpatialRank => Kernel.Length;

    public bool HasStaticPads => PadsBegin is not null;

    public bool AnyPadding => PadsBegin is null || PadsBegin.Any(p => p != 0) || PadsEnd!.Any(p => p != 0);

    /// <summary>Returns the effective (dilated) kernel size along spatial axis <paramref name="i"/>.</summary>
    public long Effective(int i) => ((Kernel[i] - 1) * Dilations[i]) + 1;

    /// <summary>Gets whether no input element lies in two windows (every stride at least the effective kernel).</summary>
    public bool WindowsAreDisjoint => Enumerable.Range(0, SpatialRank).All(i => Strides[i] >= Effective(i));

    /// <summary>Reads the window attributes of the context's node, whose input 0 is X.</summary>
    public static WindowGeometry Read(GradientContext context, long[] kernel)
    {
        var node = context.Node;
        var spatial = kernel.Length;
        var strides = node.GetInts("strides") ?? Ones(spatial);
        var dilations = node.GetInts("dilations") ?? Ones(spatial);
        if (strides.Length != spatial || dilations.Length != spatial)
        {
            throw context.Error($"strides has {strides.Length} and dilations {dilations.Length} entries; the kernel has {spatial} spatial axes.");
        }

        var dims = context.InputInfo(0).Dims;
        var inputSize = dims is not null && dims.Length == spatial + 2 && dims[2..].All(d => d >= 0) ? dims[2..] : null;
        var autoPad = node.GetString("auto_pad", "NOTSET");
        switch (autoPad)
        {
            case "NOTSET":
                var pads = node.GetInts("pads") ?? new long[2 * spatial];
                if (pads.Length != 2 * spatial)
                {
                    throw context.Error($"pads has {pads.Length} entries; expected {2 * spatial}.");
                }

                return new WindowGeometry(kernel, strides, dilations, pads[..spatial], pads[spatial..], inputSize, autoPad);
            case "VALID":
                return new WindowGeometry(kernel, strides, dilations, new long[spatial], new long[spatial], inputSize, autoPad);
            case "SAME_UPPER" or "SAME_LOWER":
                return SamePads(kernel, strides, dilations, inputSize, autoPad);
            default:
                throw context.Error($"auto_pad '{autoPad}' is not one of NOTSET, VALID, SAME_UPPER, SAME_LOWER.");
        }
    }

    private static WindowGeometry SamePads(long[] kernel, long[] strides, long[] dilations, long[]? inputSize, string autoPad)
    {
        var spatial = kernel.Length;
        var begin = new long[spatial];
        var end = new long[spatial];
        for (var i = 0; i < spatial; i++)
        {
            var effective = ((kernel[i] - 1) * dilations[i]) + 1;
            long total;
            if (strides[i] == 1)
            {
                total = effective - 1;
            }
            else if (inputSize is not null)
            {
                var outputSize = (inputSize[i] + strides[i] - 1) / strides[i];
                total = Math.Max(0, ((outputSize - 1) * strides[i]) + effective - inputSize[i]);
            }
            else
            {
                return new WindowGeometry(kernel, strides, dilations, null, null, inputSize, autoPad);
            }

            // SAME_UPPER puts the odd extra pad at the end, SAME_LOWER at the beginning.
            begin[i] = autoPad == "SAME_UPPER" ? total / 2 : total - (total / 2);
            end[i] = total - begin[i];
        }

        return new WindowGeometry(kernel, strides, dilations, begin, end, inputSize, autoPad);
    }

    /// <summary>Returns the rows r per axis that fall into no window, or null when they depend on run-time sizes.</summary>
    public long[]? Remainders()
    {
        if (Strides.All(s => s == 1))
        {
            return new long[SpatialRank];
        }

        if (InputSize is null || PadsBegin is null)
        {
            return null;
        }

        return Enumerable.Range(0, SpatialRank)
            .Select(i => (InputSize[i] + PadsBegin[i] + PadsEnd![i] - Effective(i)) % Strides[i])
            .ToArray();
    }

    /// <summary>Returns the spatial part of X's shape as an INT64 tensor.</summary>
    public string SpatialShape(GraphEmitter emit, string x) =>
        InputSize is not null ? emit.Int64s(InputSize) : emit.Op("Slice", [emit.Shape(x), emit.Int64s(2), emit.Int64s(long.MaxValue)]);

    /// <summary>Returns the begin and end pads as INT64 tensors of the spatial rank, computed in the graph when needed.</summary>
    public (string Begin, string End) PadTensors(GraphEmitter emit, string x)
    {
        if (PadsBegin is not null)
        {
            return (emit.Int64s(PadsBegin), emit.Int64s(PadsEnd!));
        }

        var size = SpatialShape(emit, x);
        var strides = emit.Int64s(Strides);
        var effective = emit.Int64s(Enumerable.Range(0, SpatialRank).Select(Effective).ToArray());
        var outputSize = emit.Op("Div", [emit.Op("Add", [size, emit.Op("Sub", [strides, emit.Int64s(Ones(SpatialRank))])]), strides]);
        var covered = emit.Op("Add", [emit.Op("Mul", [emit.Op("Sub", [outputSize, emit.Int64Scalar(1)]), strides]), effective]);
        var total = emit.Op("Max", [emit.Op("Sub", [covered, size]), emit.Int64Scalar(0)]);
        var half = emit.Op("Div", [total, emit.Int64Scalar(2)]);
        var rest = emit.Op("Sub", [total, half]);
        return AutoPad == "SAME_UPPER" ? (half, rest) : (rest, half);
    }

    /// <summary>
    /// Returns X padded with zeros by the geometry's pads when they are computed at run time (the caller then
    /// runs its window operator without pads), or X itself with the static pads for the pads attribute.
    /// </summary>
    public (string Input, long[] Pads) PaddedForWindow(GraphEmitter emit, string x)
    {
        if (PadsBegin is not null)
        {
            return (x, [.. PadsBegin, .. PadsEnd!]);
        }

        var (begin, end) = PadTensors(emit, x);
        var pads = emit.Op("Concat", [emit.Int64s(0, 0), begin, emit.Int64s(0, 0), end], Attributes.Int("axis", 0));
        return (emit.Op("Pad", [x, pads], Attributes.String("mode", "constant")), new long[2 * SpatialRank]);
    }

    /// <summary>
    /// Emits the transposed window sum: every element of <paramref name="gradient"/> (N, M, out...) is spread
    /// over the input cells of its window, weighted by <paramref name="weights"/> (M, C/group, k...), giving
    /// (N, C, in...) with the spatial size of <paramref name="x"/>.
    /// </summary>
    /// <remarks>
    /// When the pads and the remainders r are known this is one ConvTranspose with the same pads and
    /// output_padding = r. Otherwise ConvTranspose without pads covers the padded input up to the last
    /// window, a Pad adds the r uncovered rows at the end, and a Slice removes the pads.
    /// </remarks>
    public string TransposedWindowSum(GradientContext context, string gradient, string weights, long group, string x)
    {
        var emit = context.Emit;
        var common = new List<Onnx.AttributeProto>
        {
            Attributes.Ints("strides", Strides),
            Attributes.Ints("dilations", Dilations),
            Attributes.Ints("kernel_shape", Kernel),
            Attributes.Int("group", group),
        };

        var remainders = Remainders();
        if (PadsBegin is not null && remainders is not null)
        {
            common.Add(Attributes.Ints("pads", [.. PadsBegin, .. PadsEnd!]));
            if (remainders.Any(r => r != 0))
            {
                common.Add(Attributes.Ints("output_padding", remainders));
            }

            return emit.Op("ConvTranspose", [gradient, weights], [.. common]);
        }

        var full = emit.Op("ConvTranspose", [gradient, weights], [.. common]);
        var (begin, end) = PadTensors(emit, x);
        var size = SpatialShape(emit, x);
        var covered = emit.Op("Slice", [emit.Shape(full), emit.Int64s(2), emit.Int64s(long.MaxValue)]);
        var uncovered = emit.Op("Sub", [emit.Op("Add", [emit.Op("Add", [size, begin]), end]), covered]);
        var padSpec = emit.Op("Concat", [emit.Int64s(new long[SpatialRank + 4]), uncovered], Attributes.Int("axis", 0));
        var padded = emit.Op("Pad", [full, padSpec], Attributes.String("mode", "constant"));
        var axes = emit.Int64s(Enumerable.Range(2, SpatialRank).Select(i => (long)i).ToArray());
        return emit.Op("Slice", [padded, begin, emit.Op("Add", [begin, size]), axes]);
    }

    private static long[] Ones(int count) => Enumerable.Repeat(1L, count).ToArray();

    /// <summary>Returns a (1, 1, k...) tensor of ones of the given element type, the kernel of an unweighted window sum.</summary>
    public string OnesKernel(GraphEmitter emit, int elementType)
    {
        long[] dims = [1, 1, .. Kernel];
        var count = (int)Kernel.Aggregate(1L, (p, k) => p * k);
        var tensor = Tensors.FromDoubles(emit.FreshName("window_ones"), elementType, dims, Enumerable.Repeat(1.0, count).ToArray());
        emit.AddInitializer(tensor);
        return tensor.Name;
    }
}
