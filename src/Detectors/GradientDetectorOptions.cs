namespace GradDiag.Detectors;

/// <summary>The options every detector has: the name used in finding ids and reports.</summary>
public abstract class GradientDetectorOptions
{
    /// <summary>Initializes the options with the detector's default name.</summary>
    /// <param name="defaultName">The detector's default name.</param>
    private protected GradientDetectorOptions(string defaultName)
    {
        Name = defaultName;
    }

    /// <summary>Gets or sets the detector's name, used as the prefix of finding ids and in reports.</summary>
    /// <value>A non-blank lowercase name. The default is the detector's kind, for example <c>exploding</c>.</value>
    public string Name { get; set; }

    /// <summary>Adds a message for each invalid value to <paramref name="errors"/>, naming each option under <paramref name="path"/>.</summary>
    internal virtual void Validate(string path, List<string> errors)
    {
        if (string.IsNullOrWhiteSpace(Name))
        {
            errors.Add($"{path}.{nameof(Name)} must not be blank.");
        }
    }

    /// <summary>Adds an error unless <paramref name="value"/> lies in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    private protected static void CheckRange(List<string> errors, string path, string name, double value, double min, double max)
    {
        if (double.IsNaN(value) || value < min || value > max)
        {
            errors.Add(FormattableString.Invariant($"{path}.{name} must be between {min:G} and {max:G}, but was {value:G}."));
        }
    }
}
