using System.Text;
using System.Text.RegularExpressions;

namespace GradDiag.Cli.Logs;

/// <summary>Turns the --tags patterns of <c>report</c> and <c>plot</c> into the regular expressions GradDiag.Writers matches tags with.</summary>
internal static class TagPatterns
{
    /// <summary>
    /// Converts one pattern. <c>*</c> matches any run of characters; the last <c>*</c> becomes the named group
    /// <c>parameter</c>, so its text names the parameter. A pattern without <c>*</c> matches one tag exactly: the
    /// global norm.
    /// </summary>
    /// <example><c>grad_norm/*</c> gives <c>^grad_norm/(?&lt;parameter&gt;.+)$</c>.</example>
    public static string ToRegex(string pattern)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(pattern);
        int last = pattern.LastIndexOf('*');
        var builder = new StringBuilder("^");
        for (int i = 0; i < pattern.Length; i++)
        {
            if (pattern[i] != '*')
            {
                builder.Append(Regex.Escape(pattern[i].ToString()));
            }
            else
            {
                builder.Append(i == last ? "(?<parameter>.+)" : ".*");
            }
        }

        return builder.Append('$').ToString();
    }
}
