using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace GradDiag.Samples.TinyMlp;

/// <summary>
/// Trains the tiny MLP under the gradient monitor and prints progress, findings and the report's verdict.
/// </summary>
/// <remarks>
/// Healthy by default. <c>--lr 50</c> makes gradients explode; <c>--depth 8 --activation sigmoid</c> makes
/// them vanish. The exit code is 0 for a healthy run, 1 for warnings, 2 for a failing run and 64 for bad arguments.
/// </remarks>
public static class Program
{
    private const string Usage = """
        Usage: TinyMlp [options]
          --lr VALUE              SGD learning rate (default 0.5; 50 makes gradients explode)
          --depth N               number of hidden layers (default 1)
          --width N               units per hidden layer (default 16)
          --activation NAME       tanh, sigmoid or relu (default tanh; sigmoid with --depth 8 vanishes)
          --steps N               training steps (default 300)
          --batch N               examples per batch (default 32)
          --seed N                seed of weights and data (default 1)
          --histogram-interval N  steps between gradient histograms, 0 for none (default 50)
          --print-interval N      steps between progress lines (default 25)
        """;

    /// <summary>Parses the arguments, trains and returns the exit code.</summary>
    public static int Main(string[] args)
    {
        TinyMlpOptions options;
        try
        {
            options = ParseArguments(args);
        }
        catch (ArgumentException exception)
        {
            Console.Error.WriteLine(exception.Message);
            Console.Error.WriteLine(Usage);
            return 64;
        }

        RunReport report = Run(options, Console.Out);
        return report.Verdict switch
        {
            Verdict.Healthy => 0,
            Verdict.Warning => 1,
            _ => 2,
        };
    }

    /// <summary>Trains the network with the monitor registered through dependency injection and returns the report.</summary>
    public static RunReport Run(TinyMlpOptions options, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(output);

        var services = new ServiceCollection();
        services.AddLogging(logging => logging.AddSimpleConsole(console => console.SingleLine = true).SetMinimumLevel(LogLevel.Error));
        services.AddGradDiag(gradDiag => gradDiag
            .Configure(o => o.HistogramInterval = options.HistogramInterval)
            .AddBackend(_ => new TinyMlpBackend(options))
            .AddDetector<DepthRatioDetector>()
            .AddWriter(new ConsoleProgressWriter(output, options.PrintInterval)));

        using ServiceProvider provider = services.BuildServiceProvider();
        GradientMonitor monitor = provider.GetRequiredService<GradientMonitor>();
        var data = new TinyMlpData(exampleCount: 512, options.BatchSize, options.Seed);

        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Training a {options.Depth}-hidden-layer {options.Activation} MLP, width {options.Width}, learning rate {options.LearningRate}, {options.Steps} steps."));
        for (int step = 0; step < options.Steps; step++)
        {
            monitor.TrainStep(data.NextBatch());
        }

        monitor.FlushAsync().AsTask().GetAwaiter().GetResult();
        RunReport report = monitor.CreateReport("tinymlp");
        PrintReport(report, output);
        return report;
    }

    /// <summary>Reads the command-line options.</summary>
    /// <exception cref="ArgumentException">An option is unknown, has no value, or its value is not a number.</exception>
    public static TinyMlpOptions ParseArguments(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var options = new TinyMlpOptions();
        for (int i = 0; i < args.Length; i++)
        {
            string name = args[i];
            if (name is "-h" or "--help")
            {
                throw new ArgumentException("Options of the TinyMlp sample:");
            }

            if (i + 1 >= args.Length)
            {
                throw new ArgumentException($"Option '{name}' needs a value.");
            }

            string value = args[++i];
            switch (name)
            {
                case "--lr":
                    options.LearningRate = ParseDouble(name, value);
                    break;
                case "--depth":
                    options.Depth = ParseInt(name, value, minimum: 1);
                    break;
                case "--width":
                    options.Width = ParseInt(name, value, minimum: 1);
                    break;
                case "--activation":
                    options.Activation = value is "tanh" or "sigmoid" or "relu"
                        ? value
                        : throw new ArgumentException($"Option --activation must be tanh, sigmoid or relu, but is '{value}'.");
                    break;
                case "--steps":
                    options.Steps = ParseInt(name, value, minimum: 1);
                    break;
                case "--batch":
                    options.BatchSize = ParseInt(name, value, minimum: 1);
                    break;
                case "--seed":
                    options.Seed = ParseInt(name, value, minimum: 0);
                    break;
                case "--histogram-interval":
                    options.HistogramInterval = ParseInt(name, value, minimum: 0);
                    break;
                case "--print-interval":
                    options.PrintInterval = ParseInt(name, value, minimum: 1);
                    break;
                default:
                    throw new ArgumentException($"Unknown option '{name}'.");
            }
        }

        return options;
    }

    private static void PrintReport(RunReport report, TextWriter output)
    {
        output.WriteLine();
        output.WriteLine($"Verdict: {report.Verdict} ({report.Findings.Count} findings over {report.StepsObserved} observed steps)");
        foreach (Finding finding in report.Findings)
        {
            string state = finding.IsOpen ? "open" : $"closed at step {finding.ClosedAtStep}";
            output.WriteLine($"  [{finding.Severity}] {finding.Kind} from step {finding.FirstStep}, {state}: {finding.Message}");
        }

        output.WriteLine("Gradient norms per parameter (first → last, median):");
        foreach (LayerSummary layer in report.Layers)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {layer.Name,-12} depth {layer.Depth}  {layer.FirstNorm,10:G3} → {layer.LastNorm,10:G3}  median {layer.MedianNorm,10:G3}  non-finite steps {layer.NonFiniteSteps}"));
        }
    }

    private static double ParseDouble(string name, string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double result) && double.IsFinite(result)
            ? result
            : throw new ArgumentException($"Option {name} needs a finite number, but is '{value}'.");

    private static int ParseInt(string name, string value, int minimum) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int result) && result >= minimum
            ? result
            : throw new ArgumentException($"Option {name} needs a whole number of at least {minimum}, but is '{value}'.");
}
