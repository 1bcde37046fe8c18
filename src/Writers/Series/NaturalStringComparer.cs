namespace GradDiag.Writers.Series;

/// <summary>
/// Compares strings with runs of digits ordered by value, so <c>layer2</c> sorts before <c>layer10</c> and
/// <c>dense</c> before <c>dense_1</c>; other characters compare ordinally, ignoring case first.
/// </summary>
internal sealed class NaturalStringComparer : IComparer<string>
{
    public static NaturalStringComparer Instance { get; } = new();

    public int Compare(string? x, string? y)
    {
        if (ReferenceEquals(x, y))
        {
            return 0;
        }

        if (x is null || y is null)
        {
            return x is null ? -1 : 1;
        }

        int i = 0;
        int j = 0;
        while (i < x.Length && j < y.Length)
        {
            if (char.IsAsciiDigit(x[i]) && char.IsAsciiDigit(y[j]))
            {
                int startX = i;
                int startY = j;
                while (i < x.Length && char.IsAsciiDigit(x[i]))
                {
                    i++;
                }

                while (j < y.Length && char.IsAsciiDigit(y[j]))
                {
                    j++;
                }

                int byValue = CompareDigits(x.AsSpan(startX, i - startX), y.AsSpan(startY, j - startY));
                if (byValue != 0)
                {
                    return byValue;
                }

                continue;
            }

            int byChar = char.ToLowerInvariant(x[i]).CompareTo(char.ToLowerInvariant(y[j]));
            if (byChar != 0)
            {
                return byChar;
            }

            i++;
            j++;
        }

        int byLength = (x.Length - i).CompareTo(y.Length - j);
        return byLength != 0 ? byLength : string.CompareOrdinal(x, y);
    }

    private static int CompareDigits(ReadOnlySpan<char> x, ReadOnlySpan<char> y)
    {
        x = x.TrimStart('0');
        y = y.TrimStart('0');
        int byLength = x.Length.CompareTo(y.Length);
        return byLength != 0 ? byLength : x.SequenceCompareTo(y);
    }
}
