namespace GradDiag.Detectors;

/// <summary>
/// The lifecycle of one finding key (for example <c>exploding:fc1</c>): open or closed, and the steps where its
/// condition first and last held. A key that closes and opens again gets a new id with an occurrence suffix.
/// </summary>
internal sealed class FindingTracker
{
    public FindingTracker(string key, IReadOnlyList<string> layers, IReadOnlyList<string> parameters)
    {
        Key = key;
        Layers = layers;
        Parameters = parameters;
    }

    public string Key { get; }

    public IReadOnlyList<string> Layers { get; }

    public IReadOnlyList<string> Parameters { get; }

    public bool IsOpen { get; set; }

    public int Occurrences { get; set; }

    /// <summary>Gets or sets the last step at which the condition held while the finding was open.</summary>
    public long LastStep { get; set; }

    /// <summary>Gets or sets the finding as last published, or null before the first opening.</summary>
    public Finding? Current { get; set; }

    /// <summary>Gets or sets the position of <see cref="Current"/> in the detector's findings list.</summary>
    public int Index { get; set; } = -1;
}
