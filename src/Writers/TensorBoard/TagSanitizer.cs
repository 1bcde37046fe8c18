namespace GradDiag.Writers.TensorBoard;

/// <summary>
/// Makes tags safe for TensorBoard and for TensorFlow's tag rules: letters, digits, <c>_ - . / :</c> are kept,
/// every other character becomes <c>_</c>, leading and trailing <c>/</c> are removed and repeated <c>/</c>
/// collapse to one. An empty result becomes <c>_</c>.
/// </summary>
internal static class TagSanitizer
{
    /// <summary>Returns <paramref name="tag"/> itself when it is already valid, else a cleaned copy.</summary>
    public static string Sanitize(string tag)
    {
        if (IsValid(tag))
        {
            return tag;
        }

        var builder = new System.Text.StringBuilder(tag.Length);
        foreach (char character in tag)
        {
            char kept = IsAllowed(character) ? character : '_';
            if (kept == '/' && (builder.Length == 0 || builder[^1] == '/'))
            {
                continue;
            }

            builder.Append(kept);
        }

        while (builder.Length > 0 && builder[^1] == '/')
        {
            builder.Length--;
        }

        return builder.Length == 0 ? "_" : builder.ToString();
    }

    /// <summary>Returns true when <paramref name="tag"/> needs no change.</summary>
    public static bool IsValid(string tag)
    {
        if (tag.Length == 0 || tag[0] == '/' || tag[^1] == '/')
        {
            return false;
        }

        for (int i = 0; i < tag.Length; i++)
        {
            char character = tag[i];
            if (!IsAllowed(character) || (character == '/' && tag[i - 1] == '/'))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsAllowed(char character) =>
        char.IsLetterOrDigit(character) || character is '_' or '-' or '.' or '/' or ':';
}
