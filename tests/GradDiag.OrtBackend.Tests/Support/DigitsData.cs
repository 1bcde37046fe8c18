using System.Globalization;

namespace GradDiag.OrtBackend.Tests.Support;

/// <summary>The digits of tests/fixtures/data/digits.csv as the SGD traces use them: pixels divided by 16, rows in file order.</summary>
internal static class DigitsData
{
    private static readonly Lazy<(float[] Pixels, long[] Labels)> Data = new(Read);

    public static int Rows => Data.Value.Labels.Length;

    /// <summary>Returns rows [first, first + count) as a batch: <c>input</c> shaped for the model and int64 <c>labels</c>.</summary>
    public static TrainingBatch Batch(string model, int first, int count)
    {
        var (pixels, labels) = Data.Value;
        var input = pixels.AsSpan(first * 64, count * 64).ToArray();
        long[] shape = model == "digits_cnn" ? [count, 1, 8, 8] : [count, 64];
        return new TrainingBatch()
            .Add("input", input, shape)
            .Add("labels", labels.AsSpan(first, count).ToArray(), count);
    }

    private static (float[] Pixels, long[] Labels) Read()
    {
        var path = Path.Combine(Path.GetDirectoryName(FixturePaths.Onnx("x"))!, "..", "data", "digits.csv");
        var lines = File.ReadAllLines(path).Skip(1).ToArray();
        var pixels = new float[lines.Length * 64];
        var labels = new long[lines.Length];
        for (var row = 0; row < lines.Length; row++)
        {
            var fields = lines[row].Split(',');
            for (var column = 0; column < 64; column++)
            {
                pixels[(row * 64) + column] = float.Parse(fields[column], CultureInfo.InvariantCulture) / 16f;
            }

            labels[row] = long.Parse(fields[64], CultureInfo.InvariantCulture);
        }

        return (pixels, labels);
    }
}
