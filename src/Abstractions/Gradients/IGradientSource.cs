namespace GradDiag;

/// <summary>
/// Something that produces gradients: a training backend, another framework's bridge, or a test.
/// </summary>
public interface IGradientSource
{
    /// <summary>Gets the parameters whose gradients this source produces, in depth order.</summary>
    ParameterSet Parameters { get; }

    /// <summary>
    /// Fills <paramref name="snapshot"/> with the gradients of the most recent backward pass.
    /// </summary>
    /// <param name="snapshot">A snapshot over <see cref="Parameters"/>; the source resets it first.</param>
    /// <param name="includeHostValues">
    /// True to copy every gradient to host memory (histogram steps); false to supply device-computed
    /// statistics where the source can, so that only O(number of parameters) values cross to the host.
    /// </param>
    void CaptureGradients(GradientSnapshot snapshot, bool includeHostValues);
}
