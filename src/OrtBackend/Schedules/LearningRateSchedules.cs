namespace GradDiag.OrtBackend.Schedules;

/// <summary>Creates the standard learning-rate schedules: constant, step decay, cosine and linear warmup.</summary>
public static class LearningRateSchedules
{
    /// <summary>Returns a schedule that keeps <paramref name="learningRate"/> at every step.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The rate is negative or not finite.</exception>
    public static ILearningRateSchedule Constant(double learningRate)
    {
        RequireRate(learningRate, nameof(learningRate));
        return new ConstantSchedule(learningRate);
    }

    /// <summary>
    /// Returns PyTorch's StepLR: <paramref name="initial"/> · <paramref name="gamma"/>^⌊step / <paramref name="stepSize"/>⌋.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A rate or factor is negative or not finite, or the step size is below 1.</exception>
    public static ILearningRateSchedule StepDecay(double initial, long stepSize, double gamma)
    {
        RequireRate(initial, nameof(initial));
        RequireRate(gamma, nameof(gamma));
        ArgumentOutOfRangeException.ThrowIfLessThan(stepSize, 1);
        return new StepDecaySchedule(initial, stepSize, gamma);
    }

    /// <summary>
    /// Returns cosine annealing from <paramref name="initial"/> to <paramref name="minimum"/> over
    /// <paramref name="totalSteps"/> steps (PyTorch's CosineAnnealingLR with T_max = totalSteps), then
    /// <paramref name="minimum"/> after the end.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A rate is negative or not finite, or the step count is below 1.</exception>
    public static ILearningRateSchedule Cosine(double initial, long totalSteps, double minimum = 0)
    {
        RequireRate(initial, nameof(initial));
        RequireRate(minimum, nameof(minimum));
        ArgumentOutOfRangeException.ThrowIfLessThan(totalSteps, 1);
        return new CosineSchedule(initial, totalSteps, minimum);
    }

    /// <summary>
    /// Returns a linear warmup: at step s &lt; <paramref name="warmupSteps"/> the rate is
    /// <paramref name="after"/>(0) · (s + 1) / <paramref name="warmupSteps"/>; from then on it is
    /// <paramref name="after"/>(s − <paramref name="warmupSteps"/>).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The warmup step count is below 1.</exception>
    public static ILearningRateSchedule Warmup(long warmupSteps, ILearningRateSchedule after)
    {
        ArgumentNullException.ThrowIfNull(after);
        ArgumentOutOfRangeException.ThrowIfLessThan(warmupSteps, 1);
        return new WarmupSchedule(warmupSteps, after);
    }

    private static void RequireRate(double value, string name)
    {
        if (!double.IsFinite(value) || value < 0)
        {
            throw new ArgumentOutOfRangeException(name, value, "The value must be finite and not negative.");
        }
    }

    private sealed class ConstantSchedule(double learningRate) : ILearningRateSchedule
    {
        public double GetLearningRate(long step) => learningRate;
    }

    private sealed class StepDecaySchedule(double initial, long stepSize, double gamma) : ILearningRateSchedule
    {
        public double GetLearningRate(long step) => initial * Math.Pow(gamma, Math.Max(step, 0) / stepSize);
    }

    private sealed class CosineSchedule(double initial, long totalSteps, double minimum) : ILearningRateSchedule
    {
        public double GetLearningRate(long step)
        {
            if (step >= totalSteps)
            {
                return minimum;
            }

            double progress = (double)Math.Max(step, 0) / totalSteps;
            return minimum + ((initial - minimum) * 0.5 * (1 + Math.Cos(Math.PI * progress)));
        }
    }

    private sealed class WarmupSchedule(long warmupSteps, ILearningRateSchedule after) : ILearningRateSchedule
    {
        public double GetLearningRate(long step) => step < warmupSteps
            ? after.GetLearningRate(0) * (Math.Max(step, 0) + 1) / warmupSteps
            : after.GetLearningRate(step - warmupSteps);
    }
}
