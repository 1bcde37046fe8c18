namespace GradDiag.Detectors;

/// <summary>Medians and a spike-resistant slope over small windows, computed without allocating.</summary>
internal static class RobustStatistics
{
    /// <summary>Returns the median of <paramref name="values"/>, reordering them in place.</summary>
    public static double MedianInPlace(Span<double> values)
    {
        if (values.IsEmpty)
        {
            return double.NaN;
        }

        // Insertion sort: windows are a few dozen values, where it beats selection algorithms.
        for (int i = 1; i < values.Length; i++)
        {
            double current = values[i];
            int j = i - 1;
            while (j >= 0 && values[j] > current)
            {
                values[j + 1] = values[j];
                j--;
            }

            values[j + 1] = current;
        }

        int middle = values.Length / 2;
        return values.Length % 2 == 1 ? values[middle] : 0.5 * (values[middle - 1] + values[middle]);
    }

    /// <summary>
    /// Returns Tukey's resistant-line slope of the window in value units per step: the difference between the
    /// medians of the last and first thirds divided by the distance between their median steps.
    /// </summary>
    /// <remarks>
    /// Each third's median ignores up to half of that third, so isolated spikes (up to about a sixth of the
    /// window) do not move the slope, unlike a least-squares fit. Returns NaN for fewer than three values.
    /// </remarks>
    public static double ResistantSlope(SeriesWindow window, Span<double> scratch)
    {
        int count = window.Count;
        int third = count / 3;
        if (third < 1)
        {
            return double.NaN;
        }

        Span<double> left = scratch[..third];
        window.CopyValues(0, third, left);
        double leftMedian = MedianInPlace(left);

        Span<double> right = scratch[..third];
        window.CopyValues(count - third, third, right);
        double rightMedian = MedianInPlace(right);

        // Steps increase through the window, so the median step of a third is its middle entry.
        double leftStep = MiddleStep(window, 0, third);
        double rightStep = MiddleStep(window, count - third, third);
        double distance = rightStep - leftStep;
        return distance > 0 ? (rightMedian - leftMedian) / distance : double.NaN;
    }

    /// <summary>Returns the median of the whole window, using <paramref name="scratch"/> as working space.</summary>
    public static double Median(SeriesWindow window, Span<double> scratch)
    {
        Span<double> values = scratch[..window.Count];
        window.CopyValues(0, window.Count, values);
        return MedianInPlace(values);
    }

    private static double MiddleStep(SeriesWindow window, int start, int length)
    {
        int middle = start + (length / 2);
        return length % 2 == 1 ? window.StepAt(middle) : 0.5 * (window.StepAt(middle - 1) + (double)window.StepAt(middle));
    }
}
