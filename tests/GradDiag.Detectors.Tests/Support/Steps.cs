using System.Collections.Immutable;

namespace GradDiag.Detectors.Tests;

/// <summary>Small helpers to drive one detector step by step.</summary>
public sealed class Steps
{
    public Steps(int layers = 3, Func<int, bool>? trainable = null)
    {
        Parameters = new ParameterSet(Enumerable.Range(0, layers).Select(i => new ParameterDescriptor($"fc{i}.weight", ImmutableArray.Create(8L, 8L), i, trainable?.Invoke(i) ?? true)));
        Statistics = new StepStatistics(Parameters);
    }

    public ParameterSet Parameters { get; }

    public StepStatistics Statistics { get; }

    public RecordingContext Context { get; } = new();

    /// <summary>Observes one step where every layer has the given norm (offline style: norm only).</summary>
    public void Observe(IGradientDetector detector, long step, double norm, double loss = double.NaN) =>
        Observe(detector, step, _ => ParameterStatistics.FromNorm(norm), loss);

    public void Observe(IGradientDetector detector, long step, Func<int, ParameterStatistics> statistics, double loss = double.NaN, double learningRate = double.NaN)
    {
        Statistics.Reset(step);
        Statistics.Loss = loss;
        Statistics.LearningRate = learningRate;
        for (int i = 0; i < Parameters.Count; i++)
        {
            Statistics.Set(i, statistics(i));
        }

        Context.CurrentStep = step;
        detector.Observe(Statistics, Context);
    }

    public List<FindingEvent> EventsOf(FindingEventKind kind) => Context.Events.Where(e => e.Kind == kind).ToList();
}
