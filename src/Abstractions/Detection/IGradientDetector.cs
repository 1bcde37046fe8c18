namespace GradDiag;

/// <summary>
/// An online detector: it observes one step's statistics at a time, keeps bounded state, and opens and closes findings.
/// </summary>
/// <remarks>
/// The same detector runs live inside training and offline over statistics read back from event files, so a
/// CI verdict and a live alert agree. Steps may arrive with gaps; a step that does not increase is ignored by
/// the monitor before it reaches detectors. <see cref="Observe"/> must not allocate on a step where no finding
/// changes, and must not keep references to the <see cref="StepStatistics"/> instance.
/// </remarks>
public interface IGradientDetector
{
    /// <summary>Gets the detector's stable name, used in finding ids and reports, for example <c>exploding</c>.</summary>
    string Name { get; }

    /// <summary>Observes one step and reports lifecycle changes through <paramref name="context"/>.</summary>
    void Observe(StepStatistics statistics, IDetectorContext context);

    /// <summary>Ends the run: findings still open stay open and are reported as such.</summary>
    void Complete(IDetectorContext context);

    /// <summary>Gets every finding this detector opened so far, in the state of its last change.</summary>
    IReadOnlyList<Finding> Findings { get; }

    /// <summary>Forgets all state and findings, ready for a new run.</summary>
    void Reset();
}
