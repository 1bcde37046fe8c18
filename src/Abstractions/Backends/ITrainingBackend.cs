namespace GradDiag;

/// <summary>
/// Runs training steps of one model: forward and backward pass, then the optimizer update as a separate call,
/// so that a monitor can inspect the gradients and skip a harmful update.
/// </summary>
/// <remarks>Calls are synchronous and not thread-safe: a training loop is a hot loop on one thread.</remarks>
public interface ITrainingBackend : IGradientSource, IDisposable
{
    /// <summary>Gets the device the backend runs on, for example <c>cpu</c> or <c>cuda:0</c>.</summary>
    string Device { get; }

    /// <summary>Gets the step counter: the number of optimizer updates applied or skipped so far.</summary>
    long Step { get; }

    /// <summary>Gets the learning rate the next update will use.</summary>
    double LearningRate { get; }

    /// <summary>Runs the forward and backward pass on a batch and returns the loss.</summary>
    /// <exception cref="ArgumentException">The batch does not match the model's inputs; the message names the input.</exception>
    double ComputeGradients(TrainingBatch batch);

    /// <summary>Applies the optimizer update for the gradients of the last <see cref="ComputeGradients"/> call.</summary>
    /// <param name="snapshot">When not null, receives the update's sum of squares per parameter.</param>
    void ApplyUpdate(GradientSnapshot? snapshot);

    /// <summary>Discards the gradients of the last <see cref="ComputeGradients"/> call and advances the step without changing parameters.</summary>
    void SkipUpdate();

    /// <summary>Runs the forward pass in evaluation mode and returns the loss.</summary>
    double Evaluate(TrainingBatch batch);
}
