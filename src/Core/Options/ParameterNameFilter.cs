namespace GradDiag;

/// <summary>
/// Decides from <see cref="GradDiagOptions.IncludeParameters"/> and <see cref="GradDiagOptions.ExcludeParameters"/>
/// which parameters get per-parameter records and histograms.
/// </summary>
/// <remarks>
/// Patterns are globs over the whole name: <c>*</c> matches any run of characters (dots included) and <c>?</c>
/// one character, compared ordinally. A name is logged when the include list is empty or one of its patterns
/// matches, and no exclude pattern matches.
/// </remarks>
internal sealed class ParameterNameFilter
{
    private readonly string[] _include;
    private readonly string[] _exclude;

    public ParameterNameFilter(IEnumerable<string> include, IEnumerable<string> exclude)
    {
        _include = [.. include];
        _exclude = [.. exclude];
    }

    /// <summary>Returns whether the parameter named <paramref name="name"/> gets per-parameter records.</summary>
    public bool IsLogged(string name)
    {
        bool included = _include.Length == 0 || _include.Any(pattern => Matches(pattern, name));
        return included && !_exclude.Any(pattern => Matches(pattern, name));
    }

    /// <summary>Returns whether the glob <paramref name="pattern"/> matches all of <paramref name="name"/>.</summary>
    internal static bool Matches(ReadOnlySpan<char> pattern, ReadOnlySpan<char> name)
    {
        // Greedy matching with one backtrack point: the last '*' seen and the name position it was tried at.
        int p = 0;
        int n = 0;
        int star = -1;
        int resume = 0;
        while (n < name.Length)
        {
            if (p < pattern.Length && (pattern[p] == '?' || pattern[p] == name[n]))
            {
                p++;
                n++;
            }
            else if (p < pattern.Length && pattern[p] == '*')
            {
                star = p++;
                resume = n;
            }
            else if (star >= 0)
            {
                // Let the last '*' take one more character and retry the rest of the pattern.
                p = star + 1;
                n = ++resume;
            }
            else
            {
                return false;
            }
        }

        while (p < pattern.Length && pattern[p] == '*')
        {
            p++;
        }

        return p == pattern.Length;
    }
}
