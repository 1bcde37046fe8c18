using System.Globalization;

namespace GradDiag.Cli.Data;

/// <summary>An array read from a .npy file: its element type, shape and elements in C (row-major) order.</summary>
internal sealed class NpyArray
{
    /// <summary>Creates an array; <paramref name="data"/> must be the .NET array type of <paramref name="elementType"/>.</summary>
    public NpyArray(string source, NpyElementType elementType, IReadOnlyList<long> shape, Array data)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(data);
        Source = source;
        ElementType = elementType;
        Shape = shape;
        Data = data;
    }

    /// <summary>Gets where the array came from, for messages: a file path, or <c>archive.npz:x.npy</c>.</summary>
    public string Source { get; }

    /// <summary>Gets the element type.</summary>
    public NpyElementType ElementType { get; }

    /// <summary>Gets the dimensions, outermost first; empty for a scalar.</summary>
    public IReadOnlyList<long> Shape { get; }

    /// <summary>Gets the elements: float[], double[], long[], int[], byte[] or bool[].</summary>
    public Array Data { get; }

    /// <summary>Gets the shape as NumPy prints it, for example <c>(1797, 64)</c>.</summary>
    public string ShapeText => Shape.Count == 1
        ? string.Create(CultureInfo.InvariantCulture, $"({Shape[0]},)")
        : $"({string.Join(", ", Shape.Select(d => d.ToString(CultureInfo.InvariantCulture)))})";

    /// <summary>Returns the elements converted to float32 (booleans become 0 and 1).</summary>
    public float[] ToSingle() => Data switch
    {
        float[] values => values,
        double[] values => Array.ConvertAll(values, v => (float)v),
        long[] values => Array.ConvertAll(values, v => (float)v),
        int[] values => Array.ConvertAll(values, v => (float)v),
        byte[] values => Array.ConvertAll(values, v => (float)v),
        bool[] values => Array.ConvertAll(values, v => v ? 1f : 0f),
        _ => throw new InvalidOperationException($"Unexpected element array {Data.GetType().Name} in {Source}."),
    };

    /// <summary>Returns the elements as int64; float elements must be whole numbers.</summary>
    /// <exception cref="DataFormatException">A float element is not a whole number; the message names its index.</exception>
    public long[] ToInt64()
    {
        switch (Data)
        {
            case long[] values:
                return values;
            case int[] values:
                return Array.ConvertAll(values, v => (long)v);
            case byte[] values:
                return Array.ConvertAll(values, v => (long)v);
            case bool[] values:
                return Array.ConvertAll(values, v => v ? 1L : 0L);
            default:
                double[] doubles = Data is float[] floats ? Array.ConvertAll(floats, v => (double)v) : (double[])Data;
                var result = new long[doubles.Length];
                for (int i = 0; i < doubles.Length; i++)
                {
                    double value = doubles[i];
                    if (!double.IsFinite(value) || Math.Floor(value) != value || Math.Abs(value) > 9.0e15)
                    {
                        throw new DataFormatException(
                            string.Create(CultureInfo.InvariantCulture, $"{Source}: element {i} is {value}, but class indices must be whole numbers."));
                    }

                    result[i] = (long)value;
                }

                return result;
        }
    }
}
