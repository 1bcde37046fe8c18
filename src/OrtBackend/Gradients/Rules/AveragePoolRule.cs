using GradDiag.OrtBackend.Graphs;

namespace GradDiag.OrtBackend.Gradients.Rules;

/// <summary>
/// AveragePool: each element of dY, divided by its window's divisor, is spread evenly over the input cells
/// of its window by a ConvTranspose with a kernel of ones, applied to every channel as its own image.
/// </summary>
/// <remarks>
/// The divisor is the kernel size when count_include_pad = 1 or nothing is padded. With
/// count_include_pad = 0 and pads it is the number of real input cells per window, computed as a Conv of
/// ones over the unpadded input. ceil_mode = 1 is rejected because the divisor of a window that runs past
/// the padded input is not checked against ONNX Runtime.
/// </remarks>
internal sealed class AveragePoolRule : IGradientRule
{
    public IReadOnlyList<string> OpTypes { get; } = ["AveragePool"];

    public void Backward(GradientContext context)
    {
        var node = context.Node;
        if (node.GetInt("ceil_mode", 0) != 0)
        {
            throw context.Error("ceil_mode = 1 is not supported; export the pool with ceil_mode = 0 and explicit pads.");
        }

        var emit = context.Emit;
        var x = context.Input(0);
        var dy = context.OutputGradient(0)!;
        var kernel = node.GetInts("kernel_shape") ?? throw context.Error("the kernel_shape attribute is missing.");
        var geometry = WindowGeometry.Read(context, kernel);
        var ones = geometry.OnesKernel(emit, context.ElementType);

        // Every (n, c) plane becomes an image of one channel, so one kernel serves every channel.
        var planes = emit.Op("Concat", [emit.Int64s(-1, 1), emit.Op("Slice", [emit.Shape(dy), emit.Int64s(2), emit.Int64s(long.MaxValue)])], Attributes.Int("axis", 0));
        var flat = emit.Op("Reshape", [dy, planes]);

        var includePad = node.GetInt("count_include_pad", 0) != 0;
        string scaled;
        if (includePad || !geometry.AnyPadding)
        {
            scaled = emit.Op("Div", [flat, context.Scalar(kernel.Aggregate(1L, (p, k) => p * k))]);
        }
        else
        {
            scaled = emit.Op("Div", [flat, WindowCounts(context, geometry, ones, x)]);
        }

        var spread = geometry.TransposedWindowSum(context, scaled, ones, 1, x);
        context.AddGradient(0, emit.Op("Reshape", [spread, emit.Shape(x)]));
    }

    /// <summary>Returns the number of unpadded input cells in each window, shaped (1, 1, out...).</summary>
    private static string WindowCounts(GradientContext context, WindowGeometry geometry, string ones, string x)
    {
        var emit = context.Emit;
        var imageShape = emit.Op("Concat", [emit.Int64s(1, 1), geometry.SpatialShape(emit, x)], Attributes.Int("axis", 0));
        var oneValue = Tensors.FromDoubles(string.Empty, context.ElementType, [1], [1.0]);
        var image = emit.Op("ConstantOfShape", [imageShape], Attributes.Tensor("value", oneValue));
        var (input, pads) = geometry.PaddedForWindow(emit, image);
        return emit.Op(
            "Conv",
            [input, ones],
            Attributes.Ints("strides", geometry.Strides),
            Attributes.Ints("dilations", geometry.Dilations),
            Attributes.Ints("pads", pads));
    }
}
