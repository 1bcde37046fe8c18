using GradDiag.Cli.Engines;

namespace GradDiag.Cli.Demo;

/// <summary>One demo run: the model, how it is trained, and the verdict it is built to reach.</summary>
/// <param name="Model">The model.</param>
/// <param name="LearningRate">The SGD learning rate after warm-up.</param>
/// <param name="WarmupSteps">The steps over which the learning rate rises from 0.</param>
/// <param name="Purpose">What the run shows, for the final table.</param>
internal sealed record DemoRun(DemoModel Model, double LearningRate, long WarmupSteps, string Purpose)
{
    /// <summary>
    /// Gets the three runs: a ReLU network that trains normally, a deep sigmoid network whose gradients vanish
    /// toward the input, and a network without activations whose learning rate is far too high, so its gradients
    /// grow geometrically and then overflow.
    /// </summary>
    public static IReadOnlyList<DemoRun> All { get; } =
    [
        new(new DemoModel("healthy-relu", [64, 32], "Relu", Math.Sqrt(2)), 0.1, 0, "ReLU network, He initialisation, learning rate 0.1"),
        new(new DemoModel("deep-sigmoid", [32, 32, 32, 32, 32, 32, 32, 32, 32, 32], "Sigmoid", 1.0), 0.1, 0, "ten sigmoid layers: gradients shrink about 4x per layer"),
        new(new DemoModel("exploding-linear", [64, 64, 64], null, 1.0), 2.0, 100, "linear layers, learning rate warmed up to 2.0: far too high"),
    ];

    /// <summary>Returns the train settings of this run.</summary>
    public TrainSettings Settings(DemoSettings demo, FileInfo modelPath) => new()
    {
        ModelPath = modelPath,
        DataPath = demo.DataPath,
        LogDirectory = demo.LogDirectory,
        RunName = Model.Name,
        Steps = demo.Steps,
        BatchSize = 32,
        LearningRate = LearningRate,
        WarmupSteps = WarmupSteps,
        Seed = demo.Seed,
        Device = demo.Device,
        HistogramEvery = 50,
        FailOn = new FailOnThreshold(null),
    };
}
