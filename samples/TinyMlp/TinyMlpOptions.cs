namespace GradDiag.Samples.TinyMlp;

/// <summary>The network, data and training settings of the sample, set from the command line.</summary>
public sealed class TinyMlpOptions
{
    /// <summary>Gets or sets the number of hidden layers; 1 gives the classic two-layer network.</summary>
    public int Depth { get; set; } = 1;

    /// <summary>Gets or sets the width of every hidden layer.</summary>
    public int Width { get; set; } = 16;

    /// <summary>Gets or sets the hidden activation: <c>tanh</c>, <c>sigmoid</c> or <c>relu</c>.</summary>
    public string Activation { get; set; } = "tanh";

    /// <summary>Gets or sets the SGD learning rate.</summary>
    public double LearningRate { get; set; } = 0.5;

    /// <summary>Gets or sets the number of training steps.</summary>
    public int Steps { get; set; } = 300;

    /// <summary>Gets or sets the number of examples per batch.</summary>
    public int BatchSize { get; set; } = 32;

    /// <summary>Gets or sets the seed of the weights and the data.</summary>
    public int Seed { get; set; } = 1;

    /// <summary>Gets or sets how often the monitor computes histograms, in steps.</summary>
    public int HistogramInterval { get; set; } = 50;

    /// <summary>Gets or sets how often a progress line is printed, in steps.</summary>
    public int PrintInterval { get; set; } = 25;
}
