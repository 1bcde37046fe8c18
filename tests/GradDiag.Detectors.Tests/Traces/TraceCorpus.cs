namespace GradDiag.Detectors.Tests;

/// <summary>The labelled traces every default detector set must classify correctly.</summary>
public static class TraceCorpus
{
    private static readonly Lazy<IReadOnlyList<Trace>> Traces = new(Build);

    public static IReadOnlyList<Trace> All => Traces.Value;

    public static TheoryData<string> Names()
    {
        var data = new TheoryData<string>();
        foreach (Trace trace in All)
        {
            data.Add(trace.Name);
        }

        return data;
    }

    public static Trace Get(string name) => All.Single(t => t.Name == name);

    private static List<Trace> Build() =>
    [
        TraceGenerator.HealthyWithSpikes("mimic_pytorch_healthy", TraceGenerator.PyTorchName, 1),
        TraceGenerator.HealthyWithSpikes("mimic_keras_healthy", TraceGenerator.KerasName, 2),
        TraceGenerator.FixtureVanishing("mimic_pytorch_vanishing", TraceGenerator.PyTorchName, 3),
        TraceGenerator.FixtureVanishing("mimic_keras_vanishing", TraceGenerator.KerasName, 4),
        TraceGenerator.FixtureExploding("mimic_pytorch_exploding", TraceGenerator.PyTorchName, 5),
        TraceGenerator.FixtureExploding("mimic_keras_exploding", TraceGenerator.KerasName, 6),
        TraceCsv.Load("pytorch_healthy.csv"),
        TraceCsv.Load("keras_healthy.csv"),
        TraceCsv.Load("pytorch_vanishing.csv", FindingKind.Vanishing),
        TraceCsv.Load("keras_vanishing.csv", FindingKind.Vanishing),
        TraceCsv.Load("pytorch_exploding.csv", FindingKind.Exploding),
        TraceCsv.Load("keras_exploding.csv", FindingKind.Exploding),
        TraceGenerator.HealthyWithGaps(),
        TraceGenerator.SlowConvergence(),
        TraceGenerator.FastConvergence(),
        TraceGenerator.DeepSigmoidVanishing(),
        TraceGenerator.ExplodingAfterLearningRateJump(),
        TraceGenerator.ExplodingThenNaN(),
        TraceGenerator.DeadReluLayer(),
        TraceGenerator.FrozenLayer(),
        TraceGenerator.UpdatesTooLarge(),
        TraceGenerator.SingleNaNBatch(),
    ];
}
