namespace GradDiag.OrtBackend.Schedules;

/// <summary>A learning rate as a function of the training step.</summary>
/// <remarks>
/// Implementations must be pure: the same step always gives the same rate, so that a resumed run continues
/// the schedule from the checkpoint's position.
/// </remarks>
public interface ILearningRateSchedule
{
    /// <summary>Returns the learning rate of the update at <paramref name="step"/> (0 for the first update).</summary>
    /// <param name="step">The schedule position, not negative.</param>
    double GetLearningRate(long step);
}
