using System.Globalization;

namespace GradDiag.Detectors;

/// <summary>Formats numbers for finding messages: three significant digits, invariant culture.</summary>
internal static class Numbers
{
    public static string Format(double value) => value.ToString("G3", CultureInfo.InvariantCulture).Replace('E', 'e');

    /// <summary>Converts a stored log10 value back to its linear value.</summary>
    public static double FromLog10(double value) => Math.Pow(10, value);
}
