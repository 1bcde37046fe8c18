using GradDiag.OrtBackend.Graphs;
using GradDiag.OrtBackend.Models;
using GradDiag.OrtBackend.Onnx;
using GradDiag.OrtBackend.Tests.Support;
using GradDiag.OrtBackend.Training;
using Microsoft.ML.OnnxRuntime;

namespace GradDiag.OrtBackend.Tests.Training;

public sealed class DropoutSeedsTests
{
    [Fact]
    public void Apply_sets_every_seed()
    {
        var model = DropoutModel(existingSeed: 5);

        var changed = DropoutSeeds.Apply(model, 42);

        changed.Should().Be(2);
        foreach (var node in model.Proto.Graph.Node.Where(n => n.OpType == "Dropout"))
        {
            node.Attribute.Where(a => a.Name == "seed").Should().ContainSingle().Which.I.Should().Be(42);
        }
    }

    [Fact]
    public void Same_seed_gives_same_masks()
    {
        var first = Masks(seed: 7);
        var second = Masks(seed: 7);
        var other = Masks(seed: 8);

        second.Should().Equal(first);
        other.Should().NotEqual(first);
        first.Count(v => v == 0).Should().BeInRange(300, 700, "about half of 1000 elements are dropped at ratio 0.5");
    }

    /// <summary>Runs the seeded model three times in one session and returns the outputs end to end.</summary>
    private static float[] Masks(long seed)
    {
        var model = DropoutModel(existingSeed: null);
        DropoutSeeds.Apply(model, seed);
        using var session = new InferenceSession(model.ToByteArray());
        var result = new List<float>();
        var ones = Enumerable.Repeat(1f, 1000).ToArray();
        for (var run = 0; run < 3; run++)
        {
            using var input = OrtValue.CreateTensorValueFromMemory(ones, [1000]);
            using var outputs = session.Run(new RunOptions(), ["x"], [input], [session.OutputNames[0]]);
            result.AddRange(outputs[0].GetTensorDataAsSpan<float>().ToArray().Take(ones.Length / 3));
        }

        return [.. result];
    }

    /// <summary>Returns x → Dropout(ratio 0.5, training) → Dropout(ratio 0, training), the first with an optional seed.</summary>
    private static OnnxModel DropoutModel(long? existingSeed)
    {
        var builder = new GraphBuilder(opset: 17, elementType: DataTypes.Float);
        var x = builder.Input("x", [1000]);
        var ratio = builder.Initializer("ratio", [], [0.5]);
        var zero = builder.Initializer("zero_ratio", [], [0.0]);
        builder.Graph.Initializer.Add(Tensors.FromBools("training", [], [true]));
        var dropped = existingSeed is { } seed
            ? builder.Node("Dropout", [x, ratio, "training"], Attributes.Int("seed", seed))
            : builder.Node("Dropout", [x, ratio, "training"]);
        var output = builder.Node("Dropout", [dropped, zero, "training"]);
        builder.Output(output, [1000]);
        return new OnnxModel(builder.Model);
    }
}
