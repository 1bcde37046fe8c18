using System.Collections.Immutable;
using System.Globalization;

namespace GradDiag.Detectors.Tests;

/// <summary>Reads a trace kept as CSV: a header <c>step,loss,param1,param2,...</c>, then one row of gradient norms per step.</summary>
/// <remarks>Parameter columns are in depth order, input side first; only the norm is known, as in an offline run.</remarks>
public static class TraceCsv
{
    public static Trace Load(string fileName, params FindingKind[] expected)
    {
        string path = Path.Combine(AppContext.BaseDirectory, "Traces", "Fixtures", fileName);
        string[] lines = File.ReadAllLines(path);
        string[] header = lines[0].Split(',');
        var parameters = new ParameterSet(header.Skip(2).Select((name, depth) => new ParameterDescriptor(name, ImmutableArray<long>.Empty, depth)));
        var steps = new List<TraceStep>();
        for (int row = 1; row < lines.Length; row++)
        {
            string[] cells = lines[row].Split(',');
            var statistics = new ParameterStatistics[parameters.Count];
            for (int i = 0; i < statistics.Length; i++)
            {
                statistics[i] = ParameterStatistics.FromNorm(Parse(cells[i + 2]));
            }

            steps.Add(new TraceStep(long.Parse(cells[0], CultureInfo.InvariantCulture), Parse(cells[1]), double.NaN, statistics));
        }

        return new Trace(Path.GetFileNameWithoutExtension(fileName), parameters, steps, expected);
    }

    private static double Parse(string cell) => cell switch
    {
        "nan" => double.NaN,
        "inf" => double.PositiveInfinity,
        "-inf" => double.NegativeInfinity,
        _ => double.Parse(cell, CultureInfo.InvariantCulture),
    };
}
