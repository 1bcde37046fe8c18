using GradDiag.OrtBackend.Graphs;
using GradDiag.OrtBackend.Models;
using GradDiag.OrtBackend.Onnx;
using GradDiag.OrtBackend.Tests.Support;
using GradDiag.OrtBackend.Training;
using Microsoft.ML.OnnxRuntime;

namespace GradDiag.OrtBackend.Tests.Training;

/// <summary>The Dropout rewrite of the training model: masks keyed by an input instead of ONNX Runtime's generator.</summary>
public sealed class KeyedDropoutTests
{
    private const int Elements = 100_000;
    private const float Ratio = 0.3f;

    [Fact]
    public void Apply_rewrites_training_dropouts_only()
    {
        var builder = new GraphBuilder(opset: 17, elementType: DataTypes.Float);
        var x = builder.Input("x", [8]);
        var ratio = builder.Initializer("ratio", [], [0.5]);
        builder.Graph.Initializer.Add(Tensors.FromBools("training", [], [true]));
        builder.Graph.Initializer.Add(Tensors.FromBools("inference", [], [false]));
        var first = builder.Node("Dropout", [x, ratio, "training"]);
        var second = builder.Node("Dropout", [first, ratio, "inference"]);
        var third = builder.Node("Dropout", [second, ratio, "training"]);
        var untouched = builder.Node("Dropout", [third]);
        builder.Output(untouched, [8]);
        var model = builder.Model;

        KeyedDropout.Apply(model).Should().Be(2);

        model.Graph.Node.Where(n => n.OpType == "Dropout").Select(n => n.Output[0]).Should().Equal(second, untouched);
        model.Graph.Input.Select(i => i.Name).Should().Contain(KeyedDropout.KeyInput);
        model.Graph.Node.Should().Contain(n => n.Output.Contains(first)).And.Contain(n => n.Output.Contains(third));
    }

    [Fact]
    public void Masks_keep_the_expected_fraction()
    {
        using var session = Session(dynamicTrainingMode: false);
        var (output, mask) = Run(session, key: 12345);

        var keptFraction = mask.Count(m => m) / (double)Elements;
        keptFraction.Should().BeApproximately(1 - Ratio, 0.007, "the standard deviation of the kept fraction of 100,000 draws is 0.0014");
        var scale = 1f / (1f - Ratio);
        for (var i = 0; i < Elements; i++)
        {
            output[i].Should().Be(mask[i] ? scale : 0f, $"element {i} is 1 scaled by 1 / (1 - ratio) when kept and 0 when dropped");
        }
    }

    [Fact]
    public void Neighbouring_elements_are_independent()
    {
        using var session = Session(dynamicTrainingMode: false);
        var (_, mask) = Run(session, key: 777);

        // Two independent draws agree with probability 0.7² + 0.3² = 0.58.
        var agreeing = Enumerable.Range(0, Elements - 1).Count(i => mask[i] == mask[i + 1]) / (double)(Elements - 1);
        agreeing.Should().BeApproximately(0.58, 0.01);
        var bothKept = Enumerable.Range(0, Elements - 1).Count(i => mask[i] && mask[i + 1]) / (double)(Elements - 1);
        bothKept.Should().BeApproximately(0.49, 0.01);
    }

    [Fact]
    public void Keys_decide_the_masks()
    {
        using var session = Session(dynamicTrainingMode: false);
        var first = Run(session, KeyedDropout.Key(seed: 5, draw: 0)).Mask;
        var again = Run(session, KeyedDropout.Key(seed: 5, draw: 0)).Mask;
        var next = Run(session, KeyedDropout.Key(seed: 5, draw: 1)).Mask;
        var otherSeed = Run(session, KeyedDropout.Key(seed: 6, draw: 0)).Mask;

        again.Should().Equal(first);
        Agreement(first, next).Should().BeApproximately(0.58, 0.01, "successive draws are independent");
        Agreement(first, otherSeed).Should().BeApproximately(0.58, 0.01, "another seed draws other masks");
    }

    [Fact]
    public void Mirrored_elements_are_independent()
    {
        using var session = Session(dynamicTrainingMode: false);

        // A quadratic of an affine map of the index is symmetric about its vertex, which mirrored whole masks for
        // some keys. The largest key is one of the cases a bound on the first round must cover.
        foreach (var key in new[] { KeyedDropout.Key(seed: 0, draw: 154), KeyedDropout.Key(seed: 9, draw: 3), KeyedDropout.KeyBound - 1 })
        {
            var (_, mask) = Run(session, key);
            foreach (var centre in new[] { Elements - 1, Elements / 2, 77_777 })
            {
                var pairs = centre / 2;
                var agreeing = Enumerable.Range(0, pairs).Count(i => mask[i] == mask[centre - i]) / (double)pairs;
                agreeing.Should().BeApproximately(0.58, 0.015, $"elements i and {centre} - i under key {key}");
            }
        }
    }

    [Fact]
    public void Keys_stay_below_their_bound()
    {
        var keys = Enumerable.Range(0, 1000).Select(draw => KeyedDropout.Key(long.MinValue + draw, draw)).ToArray();

        keys.Should().OnlyContain(k => k >= 0 && k < KeyedDropout.KeyBound);
        keys.Distinct().Should().HaveCount(1000);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Runtime_training_mode_selects_dropout(bool training)
    {
        using var session = Session(dynamicTrainingMode: true);
        var (output, mask) = Run(session, key: 99, training);

        if (training)
        {
            mask.Count(m => !m).Should().BeInRange(29_000, 31_000);
        }
        else
        {
            output.Should().OnlyContain(v => v == 1f, "in inference mode Dropout passes its input through");
            mask.Should().OnlyContain(m => m, "in inference mode the mask is all true");
        }
    }

    private static double Agreement(bool[] first, bool[] second) =>
        Enumerable.Range(0, first.Length).Count(i => first[i] == second[i]) / (double)first.Length;

    /// <summary>Returns a session over x → Dropout(ratio 0.3) with both outputs, rewritten, training_mode a constant true or an input.</summary>
    private static InferenceSession Session(bool dynamicTrainingMode)
    {
        var builder = new GraphBuilder(opset: 17, elementType: DataTypes.Float);
        var x = builder.Input("x", [Elements]);
        var ratio = builder.Initializer("ratio", [], [Ratio]);
        if (dynamicTrainingMode)
        {
            builder.Input("training", [], DataTypes.Bool);
        }
        else
        {
            builder.Graph.Initializer.Add(Tensors.FromBools("training", [], [true]));
        }

        var outputs = builder.NodeMulti("Dropout", [x, ratio, "training"], 2);
        builder.Output(outputs[0], [Elements]);
        builder.Output(outputs[1], [Elements], DataTypes.Bool);
        var model = builder.Model;
        KeyedDropout.Apply(model).Should().Be(1);
        return new InferenceSession(new OnnxModel(model).ToByteArray());
    }

    private static (float[] Output, bool[] Mask) Run(InferenceSession session, long key, bool training = true)
    {
        var ones = Enumerable.Repeat(1f, Elements).ToArray();
        var names = new List<string> { "x", KeyedDropout.KeyInput };
        using var input = OrtValue.CreateTensorValueFromMemory(ones, [Elements]);
        using var keyValue = OrtValue.CreateTensorValueFromMemory(new[] { key }, []);
        using var trainingValue = OrtValue.CreateTensorValueFromMemory(new[] { training }, []);
        var values = new List<OrtValue> { input, keyValue };
        if (session.InputNames.Contains("training"))
        {
            names.Add("training");
            values.Add(trainingValue);
        }

        using var results = session.Run(new RunOptions(), names, values, session.OutputNames);
        return (results[0].GetTensorDataAsSpan<float>().ToArray(), results[1].GetTensorDataAsSpan<bool>().ToArray());
    }
}
