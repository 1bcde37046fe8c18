using System.Globalization;

namespace GradDiag.Cli.Data;

/// <summary>
/// Rows of training data in memory: inputs (float32 or int64) with a per-row shape, and labels (int64 class
/// indices or float32 targets) with a per-row shape. Supports a seeded validation split and seeded per-epoch shuffling.
/// </summary>
internal sealed class Dataset
{
    /// <summary>Creates a dataset and checks that the arrays hold <paramref name="count"/> rows of the given shapes.</summary>
    /// <param name="source">The data file, for messages.</param>
    /// <param name="count">The number of rows.</param>
    /// <param name="inputs">The inputs, row-major: a float[] or long[].</param>
    /// <param name="inputShape">The shape of one row of inputs.</param>
    /// <param name="labels">The labels, row-major: a long[] of class indices or a float[] of targets.</param>
    /// <param name="labelShape">The shape of one row of labels; empty for one class index per row.</param>
    public Dataset(string source, int count, Array inputs, IReadOnlyList<long> inputShape, Array labels, IReadOnlyList<long> labelShape)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(inputShape);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(labelShape);
        if (inputs is not (float[] or long[]))
        {
            throw new ArgumentException($"Inputs must be float[] or long[], not {inputs.GetType().Name}.", nameof(inputs));
        }

        if (labels is not (float[] or long[]))
        {
            throw new ArgumentException($"Labels must be long[] or float[], not {labels.GetType().Name}.", nameof(labels));
        }

        Source = source;
        Count = count;
        Inputs = inputs;
        InputShape = inputShape;
        Labels = labels;
        LabelShape = labelShape;
        InputRowLength = checked((int)Product(inputShape));
        LabelRowLength = checked((int)Product(labelShape));
        if ((long)count * InputRowLength != inputs.Length || (long)count * LabelRowLength != labels.Length)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"{count} rows need {(long)count * InputRowLength} input and {(long)count * LabelRowLength} label elements, but there are {inputs.Length} and {labels.Length}."));
        }
    }

    /// <summary>Gets the data file, for messages.</summary>
    public string Source { get; }

    /// <summary>Gets the number of rows.</summary>
    public int Count { get; }

    /// <summary>Gets the inputs, row-major: float[] or long[].</summary>
    public Array Inputs { get; }

    /// <summary>Gets the shape of one row of inputs.</summary>
    public IReadOnlyList<long> InputShape { get; }

    /// <summary>Gets the labels, row-major: long[] (class indices) or float[] (targets).</summary>
    public Array Labels { get; }

    /// <summary>Gets the shape of one row of labels; empty for a class index.</summary>
    public IReadOnlyList<long> LabelShape { get; }

    /// <summary>Gets the number of input elements per row.</summary>
    public int InputRowLength { get; }

    /// <summary>Gets the number of label elements per row.</summary>
    public int LabelRowLength { get; }

    /// <summary>Returns the dataset with each input row seen as <paramref name="shape"/>, for example [1, 8, 8] for 64 pixels.</summary>
    /// <exception cref="DataFormatException">The new shape has a different number of elements.</exception>
    public Dataset WithInputShape(IReadOnlyList<long> shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        if (shape.Any(d => d <= 0) || Product(shape) != InputRowLength)
        {
            throw new DataFormatException(string.Create(CultureInfo.InvariantCulture,
                $"{Source}: a row has {InputRowLength} input values (shape [{string.Join(", ", InputShape)}]), which cannot be reshaped to [{string.Join(", ", shape)}]."));
        }

        return new Dataset(Source, Count, Inputs, shape, Labels, LabelShape);
    }

    /// <summary>
    /// Splits off a validation set: the rows are permuted with <paramref name="seed"/>, and the last
    /// round(<paramref name="fraction"/> x Count) rows of that order become the validation set.
    /// </summary>
    /// <returns>The training rows and the validation rows (null when the fraction is 0).</returns>
    /// <exception cref="DataFormatException">The split would leave the training or the validation set empty.</exception>
    public (Dataset Training, Dataset? Validation) Split(double fraction, int seed)
    {
        if (fraction is < 0 or >= 1 || double.IsNaN(fraction))
        {
            throw new ArgumentOutOfRangeException(nameof(fraction), fraction, "The validation fraction must be in [0, 1).");
        }

        if (fraction == 0)
        {
            return (this, null);
        }

        int validationCount = (int)Math.Round(fraction * Count, MidpointRounding.AwayFromZero);
        if (validationCount == 0 || validationCount == Count)
        {
            throw new DataFormatException(string.Create(CultureInfo.InvariantCulture,
                $"{Source}: a validation split of {fraction} of {Count} rows leaves {validationCount} validation rows and {Count - validationCount} training rows; both need at least one."));
        }

        int[] order = Permutation(Count, seed);
        return (Subset(order[..^validationCount]), Subset(order[^validationCount..]));
    }

    /// <summary>
    /// Returns the batches of one epoch in order. With <paramref name="shuffle"/> the rows are permuted by a generator
    /// seeded from <paramref name="seed"/> and <paramref name="epoch"/>, so each epoch has its own order and a rerun
    /// repeats it. The last batch keeps the remaining rows even when there are fewer than <paramref name="batchSize"/>.
    /// </summary>
    public IEnumerable<Batch> Batches(int batchSize, bool shuffle, int seed, int epoch)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        int[] order = shuffle ? Permutation(Count, unchecked((seed * 1_000_003) + epoch)) : Enumerable.Range(0, Count).ToArray();
        for (int start = 0; start < Count; start += batchSize)
        {
            int[] rows = order[start..Math.Min(Count, start + batchSize)];
            yield return new Batch(
                Gather(Inputs, rows, InputRowLength),
                [rows.Length, .. InputShape],
                Gather(Labels, rows, LabelRowLength),
                [rows.Length, .. LabelShape]);
        }
    }

    /// <summary>Returns the number of batches per epoch.</summary>
    public int BatchCount(int batchSize) => (Count + batchSize - 1) / batchSize;

    /// <summary>Returns a dataset of the given rows, in that order.</summary>
    public Dataset Subset(int[] rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        return new Dataset(Source, rows.Length, Gather(Inputs, rows, InputRowLength), InputShape, Gather(Labels, rows, LabelRowLength), LabelShape);
    }

    /// <summary>Returns a permutation of 0..count-1 from a Fisher-Yates shuffle seeded with <paramref name="seed"/>.</summary>
    public static int[] Permutation(int count, int seed)
    {
        int[] order = Enumerable.Range(0, count).ToArray();
        var random = new Random(seed);
        for (int i = count - 1; i > 0; i--)
        {
            int j = random.Next(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }

        return order;
    }

    private static Array Gather(Array source, int[] rows, int rowLength)
    {
        Array target = Array.CreateInstance(source.GetType().GetElementType()!, (long)rows.Length * rowLength);
        for (int i = 0; i < rows.Length; i++)
        {
            Array.Copy(source, (long)rows[i] * rowLength, target, (long)i * rowLength, rowLength);
        }

        return target;
    }

    private static long Product(IReadOnlyList<long> shape)
    {
        long product = 1;
        foreach (long dimension in shape)
        {
            product = checked(product * dimension);
        }

        return product;
    }
}
