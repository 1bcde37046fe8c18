namespace GradDiag;

/// <summary>Derives layer names from parameter names.</summary>
public static class LayerNames
{
    private static readonly string[] ParameterSuffixes =
    [
        "weight", "bias", "kernel", "kernel:0", "bias:0", "gamma", "beta", "scale", "embedding", "embeddings",
    ];

    /// <summary>
    /// Returns the layer part of a parameter name: <c>fc1.weight</c> and <c>fc1/kernel:0</c> give <c>fc1</c>.
    /// A name without a known parameter suffix is its own layer.
    /// </summary>
    public static string FromParameterName(string parameterName)
    {
        ArgumentNullException.ThrowIfNull(parameterName);
        int separator = parameterName.LastIndexOfAny(['.', '/']);
        if (separator <= 0)
        {
            return parameterName;
        }

        ReadOnlySpan<char> last = parameterName.AsSpan(separator + 1);
        foreach (string suffix in ParameterSuffixes)
        {
            if (last.Equals(suffix, StringComparison.OrdinalIgnoreCase))
            {
                return parameterName[..separator];
            }
        }

        return parameterName;
    }
}
