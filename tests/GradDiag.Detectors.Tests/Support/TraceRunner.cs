namespace GradDiag.Detectors.Tests;

/// <summary>Feeds a trace to detectors the way the monitor does: one reused <see cref="StepStatistics"/> per step.</summary>
public static class TraceRunner
{
    public static RecordingContext Run(Trace trace, IReadOnlyList<IGradientDetector> detectors)
    {
        var context = new RecordingContext();
        var statistics = new StepStatistics(trace.Parameters);
        foreach (TraceStep step in trace.Steps)
        {
            Fill(statistics, step);
            context.CurrentStep = step.Step;
            foreach (IGradientDetector detector in detectors)
            {
                detector.Observe(statistics, context);
            }
        }

        foreach (IGradientDetector detector in detectors)
        {
            detector.Complete(context);
        }

        return context;
    }

    public static RecordingContext Run(Trace trace, IGradientDetector detector) => Run(trace, [detector]);

    public static void Fill(StepStatistics statistics, TraceStep step)
    {
        statistics.Reset(step.Step);
        statistics.Loss = step.Loss;
        statistics.LearningRate = step.LearningRate;
        statistics.UpdateSkipped = step.UpdateSkipped;
        for (int i = 0; i < step.Parameters.Length; i++)
        {
            statistics.Set(i, step.Parameters[i]);
        }
    }

    /// <summary>Returns every finding of the detectors, for assertions.</summary>
    public static List<Finding> Findings(IReadOnlyList<IGradientDetector> detectors) => detectors.SelectMany(d => d.Findings).ToList();
}
