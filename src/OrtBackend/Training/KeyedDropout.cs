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
/// Element i of node k is kept when h ≥ ⌈ratio · P⌉, with P = 2^31 − 1, v = i + key + offset(k), q = (v² + c) mod P
/// and h = (q² + v) mod P. The key and the node offset are below 2^28 and i below 2^29, so v stays below P / 2 and
/// every product below 2^62. No two elements then share v or −v mod P, so no pair of elements shares q and h as
/// well. A quadratic of an affine map of i (the first version) is symmetric about its vertex, and for about one
/// key in P / (2 · elements) it mirrored the mask around an element inside the tensor. int64 Mod is the costly
/// operation, and this hash needs two. Kept elements are scaled by 1 / (1 − ratio), as Dropout does, and the
/// replacement writes Dropout's output and mask names, so the gradient graph reads them.
/// </para>
/// <para>
/// NOTE: the hash is a fixed mix chosen here, not a published generator. Its kept fraction and the independence of
/// neighbouring, distant and mirrored elements are checked by tests, not proven. Masks of different keys are windows
/// of one sequence at different offsets. Tensors of 2^29 elements or more would break the bound on v.
/// </para>
/// </remarks>
internal static class KeyedDropout
{
    /// <summary>The INT64 scalar input of the rewritten training model that keys the masks of one run.</summary>
    public const string KeyInput = "graddiag.dropout_key";

    /// <summary>The modulus of every round, the Mersenne prime 2^31 − 1.</summary>
    public const long Modulus = 2_147_483_647;

    /// <summary>The bound of keys and node offsets, so that v = i + key + offset stays below P / 2 for i below 2^29.</summary>
    public const long KeyBound = 1L << 28;

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

    /// <summary>Returns the key of draw <paramref name="draw"/> under <paramref name="seed"/>, a value in [0, 2^28).</summary>
    public static long Key(long seed, long draw) => (long)(Mix((ulong)seed ^ Mix((ulong)draw)) % KeyBound);

    private static bool IsTrainingDropout(NodeProto node) =>
        node.OpType == "Dropout" && node.Domain is "" or "ai.onnx" && node.Input.Count >= 3 && node.Input[2].Length > 0;

    /// <summary>Returns the offset that separates the masks of node <paramref name="k"/> from those of the other nodes.</summary>
    private static long NodeOffset(int k) => (long)(Mix((ulong)k + 1) % KeyBound);

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

        if (elementType == DataTypes.BFloat16 && emitter.Opset < 16)
        {
            throw new InvalidOperationException($"Dropout node '{node.Name}' works on BFLOAT16 at opset {emitter.Opset}, where Where does not accept BFLOAT16, so its mask cannot be rewritten; convert the model to opset 16 or later.");
        }

        // v = i + key + offset comes from one Range, and the ratio becomes an integer threshold on the scalar side,
        // because every operation over all elements costs a pass.
        var modulus = emitter.Int64Scalar(Modulus);
        var start = emitter.Op("Add", [KeyInput, emitter.Int64Scalar(nodeOffset)]);
        var v = emitter.Op("Range", [start, emitter.Op("Add", [start, emitter.Op("Size", [x])]), emitter.Int64Scalar(1)]);
        var q = Round(emitter, emitter.Op("Mul", [v, v]), emitter.Int64Scalar(SquareOffset), modulus);
        var hash = Round(emitter, emitter.Op("Mul", [q, q]), v, modulus);

        var ratioValue = ratio.Length == 0 ? emitter.Scalar(0.5, DataTypes.Float) : emitter.Op("Cast", [ratio], Attributes.Int("to", DataTypes.Float));
        var threshold = emitter.Op("Cast", [emitter.Op("Ceil", [emitter.Op("Mul", [emitter.Op("Cast", [ratioValue], Attributes.Int("to", DataTypes.Double)), emitter.Scalar(Modulus, DataTypes.Double)])])], Attributes.Int("to", DataTypes.Int64));
        var keep = emitter.Op("Reshape", [emitter.Op("GreaterOrEqual", [hash, threshold]), emitter.Shape(x)]);
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
