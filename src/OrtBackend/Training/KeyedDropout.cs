using GradDiag.OrtBackend.Graphs;
using GradDiag.OrtBackend.Models;
using GradDiag.OrtBackend.Onnx;

namespace GradDiag.OrtBackend.Training;

/// <summary>
/// Replaces the training-mode Dropout nodes of a training model with standard operators that draw the mask from
/// a key input instead of ONNX Runtime's generator. The mask then depends only on the key, the node and the element
/// index, so a run resumed from a checkpoint draws the masks that an uninterrupted run would have drawn.
/// </summary>
/// <remarks>
/// <para>
/// Element i of node k is kept when h(i) / P ≥ ratio, with P = 2^31 − 1 and h two rounds over int64 values below
/// P: an affine map of i and the key, then a square plus a constant, each reduced mod P. Every product stays below
/// 2^62, so no round overflows int64. Four rounds (a second affine map and square) passed the same tests and took
/// twice as long, because int64 Mod is the costly operation. Kept elements are scaled by 1 / (1 − ratio), as
/// Dropout does, and the replacement writes Dropout's output and mask names, so the gradient graph reads them.
/// </para>
/// <para>
/// NOTE: the hash is a fixed mix chosen here, not a published generator. Its kept fraction and the independence of
/// neighbouring elements and of successive keys are checked by tests, not proven. Tensors of 2^31 elements or more
/// would overflow the first round.
/// </para>
/// </remarks>
internal static class KeyedDropout
{
    /// <summary>The INT64 scalar input of the rewritten training model that keys the masks of one run.</summary>
    public const string KeyInput = "graddiag.dropout_key";

    /// <summary>The modulus of every round, the Mersenne prime 2^31 − 1.</summary>
    public const long Modulus = 2_147_483_647;

    private const long Multiplier = 1_103_515_245;
    private const long SquareOffset = 1_013_904_223;

    /// <summary>
    /// Rewrites every Dropout node of the main graph whose training_mode input is present and not a constant
    /// false, adds <see cref="KeyInput"/> when one was rewritten, and returns how many were.
    /// </summary>
    public static int Apply(ModelProto model)
    {
        var graph = model.Graph;
        var dropouts = graph.Node.Where(IsTrainingDropout).ToList();
        if (dropouts.Count == 0)
        {
            return 0;
        }

        var opset = (int)OnnxModel.DefaultOpset(model);
        var types = TypeInference.Run(graph, opset);
        dropouts = dropouts.Where(node => types.ConstantInts(node.Input[2]) is not [0]).ToList();
        if (dropouts.Count == 0)
        {
            return 0;
        }

        var usedNames = graph.Node.SelectMany(n => n.Input.Concat(n.Output).Append(n.Name))
            .Concat(graph.Input.Select(i => i.Name))
            .Concat(graph.Initializer.Select(t => t.Name));
        var emitter = new GraphEmitter(types, usedNames, opset, "graddiag/dropout/");
        if (!emitter.TryReserve(KeyInput))
        {
            throw new InvalidOperationException($"The training model already has a value named '{KeyInput}'; rename that value in the source model and rebuild the artifacts.");
        }

        graph.Input.Add(Standalone.StandaloneGraph.ValueInfo(KeyInput, new TensorInfo(DataTypes.Int64, [])));
        for (var k = 0; k < dropouts.Count; k++)
        {
            var node = dropouts[k];
            var start = emitter.Nodes.Count;
            Emit(emitter, node, NodeOffset(k));
            var index = graph.Node.IndexOf(node);
            graph.Node.RemoveAt(index);
            for (var n = start; n < emitter.Nodes.Count; n++)
            {
                graph.Node.Insert(index + n - start, emitter.Nodes[n]);
            }
        }

        graph.Initializer.AddRange(emitter.Initializers);
        return dropouts.Count;
    }

    /// <summary>Returns the key of draw <paramref name="draw"/> under <paramref name="seed"/>, a value in [0, P).</summary>
    public static long Key(long seed, long draw) => (long)(Mix((ulong)seed ^ Mix((ulong)draw)) % (ulong)Modulus);

    private static bool IsTrainingDropout(NodeProto node) =>
        node.OpType == "Dropout" && node.Domain is "" or "ai.onnx" && node.Input.Count >= 3 && node.Input[2].Length > 0;

    /// <summary>Returns the offset that separates the masks of node <paramref name="k"/> from those of the other nodes.</summary>
    private static long NodeOffset(int k) => (long)(Mix((ulong)k + 1) % (ulong)Modulus);

    /// <summary>Mixes 64 bits with SplitMix64's finaliser.</summary>
    private static ulong Mix(ulong value)
    {
        value += 0x9E3779B97F4A7C15;
        value = (value ^ (value >> 30)) * 0xBF58476D1CE4E5B9;
        value = (value ^ (value >> 27)) * 0x94D049BB133111EB;
        return value ^ (value >> 31);
    }

    private static void Emit(GraphEmitter emitter, NodeProto node, long nodeOffset)
    {
        var x = node.Input[0];
        var ratio = node.Input.Count > 1 ? node.Input[1] : string.Empty;
        var trainingMode = node.Input[2];
        var elementType = emitter.ElementType(x);
        if (elementType == 0)
        {
            throw new InvalidOperationException($"The element type of '{x}', the input of Dropout node '{node.Name}', is unknown, so its mask cannot be rewritten; rebuild the artifacts.");
        }

        var modulus = emitter.Int64Scalar(Modulus);
        var count = emitter.Op("Size", [x]);
        var positions = emitter.Op("Range", [emitter.Int64Scalar(0), count, emitter.Int64Scalar(1)]);
        var key = emitter.Op("Add", [KeyInput, emitter.Int64Scalar(nodeOffset)]);
        var hash = Round(emitter, emitter.Op("Mul", [positions, emitter.Int64Scalar(Multiplier)]), key, modulus);
        hash = Round(emitter, emitter.Op("Mul", [hash, hash]), emitter.Int64Scalar(SquareOffset), modulus);

        var uniform = emitter.Op("Mul", [emitter.Op("Cast", [hash], Attributes.Int("to", DataTypes.Float)), emitter.Scalar(1.0 / Modulus, DataTypes.Float)]);
        var ratioValue = ratio.Length == 0 ? emitter.Scalar(0.5, DataTypes.Float) : emitter.Op("Cast", [ratio], Attributes.Int("to", DataTypes.Float));
        var keep = emitter.Op("Reshape", [emitter.Op("GreaterOrEqual", [uniform, ratioValue]), emitter.Shape(x)]);
        var scale = emitter.Op("Cast", [emitter.Op("Div", [emitter.Scalar(1.0, DataTypes.Float), emitter.Op("Sub", [emitter.Scalar(1.0, DataTypes.Float), ratioValue])])], Attributes.Int("to", elementType));
        var dropped = emitter.Op("Where", [keep, emitter.Op("Mul", [x, scale]), emitter.Scalar(0.0, elementType)]);

        var isTraining = emitter.Types.ConstantInts(trainingMode) is [not 0];
        var output = node.Output[0];
        var mask = node.Output.Count > 1 ? node.Output[1] : string.Empty;
        if (isTraining)
        {
            emitter.OpInto(output, "Identity", [dropped]);
            if (mask.Length > 0)
            {
                emitter.OpInto(mask, "Identity", [keep]);
            }

            return;
        }

        // A training_mode computed at run time: in inference mode Dropout passes X through and its mask is all true.
        emitter.OpInto(output, "Where", [trainingMode, dropped, x]);
        if (mask.Length > 0)
        {
            emitter.OpInto(mask, "Or", [keep, emitter.Op("Not", [trainingMode])]);
        }
    }

    private static string Round(GraphEmitter emitter, string product, string offset, string modulus) =>
        emitter.Op("Mod", [emitter.Op("Add", [product, offset]), modulus]);
}
