using System.Globalization;
using GradDiag.Cli.Engines;
using GradDiag.Cli.Infrastructure;

namespace GradDiag.Cli.Data;

/// <summary>Loads the training data of <c>graddiag train</c> from .npy, .npz or .csv files and checks it.</summary>
internal static class DatasetLoader
{
    /// <summary>The NPZ array of inputs when --inputs is not given.</summary>
    public const string DefaultNpzInputs = "x";

    /// <summary>The NPZ array of labels when --label is not given.</summary>
    public const string DefaultNpzLabel = "y";

    /// <summary>The CSV label column when --label is not given.</summary>
    public const string DefaultCsvLabel = "label";

    /// <summary>
    /// Loads the data the settings name. Labels become int64 class indices for cross-entropy (whole numbers, at least
    /// 0) and float32 targets for MSE. Inputs of float or uint8/bool type become float32, integer inputs stay int64.
    /// </summary>
    /// <returns>The dataset and the number of NaN input values per column or array (empty when there are none).</returns>
    /// <exception cref="DataFormatException">A file is missing or malformed, or the inputs and labels do not fit together.</exception>
    /// <exception cref="UsageException">The options do not fit the data format.</exception>
    public static (Dataset Data, IReadOnlyDictionary<string, long> NanCounts) Load(TrainSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        string path = settings.DataPath.FullName;
        string extension = settings.DataPath.Extension.ToLowerInvariant();
        if (settings.LabelsPath is not null && extension != ".npy")
        {
            throw new UsageException($"Option --labels is only valid with .npy data. '{settings.DataPath.Name}' contains its own labels, so choose them with --label.");
        }

        (Dataset data, IReadOnlyDictionary<string, long> nanCounts) = extension switch
        {
            ".csv" => LoadCsv(settings, path),
            ".npz" => LoadNpz(settings, path),
            ".npy" => LoadNpy(settings, path),
            _ => throw new DataFormatException($"Data file '{path}' has the extension '{settings.DataPath.Extension}'; supported are .npy, .npz and .csv."),
        };

        return (settings.SampleShape is null ? data : data.WithInputShape(settings.SampleShape), nanCounts);
    }

    private static (Dataset, IReadOnlyDictionary<string, long>) LoadCsv(TrainSettings settings, string path)
    {
        CsvTable table = CsvTableReader.Read(path, settings.Inputs, settings.Label ?? DefaultCsvLabel);
        Array labels = ToLabels(table, settings.Loss);
        var data = new Dataset(path, table.RowCount, table.Inputs, [table.InputColumns.Count], labels, []);
        return (data, table.NanCounts);
    }

    private static (Dataset, IReadOnlyDictionary<string, long>) LoadNpz(TrainSettings settings, string path)
    {
        if (settings.Inputs.Count > 1)
        {
            throw new UsageException($"Option --inputs names one array of an .npz file, but {settings.Inputs.Count} were given: {string.Join(", ", settings.Inputs)}.");
        }

        using NpzArchive archive = NpzArchive.Open(path);
        NpyArray inputs = archive.Read(settings.Inputs.Count == 1 ? settings.Inputs[0] : DefaultNpzInputs);
        NpyArray labels = archive.Read(settings.Label ?? DefaultNpzLabel);
        return Combine(inputs, labels, settings.Loss);
    }

    private static (Dataset, IReadOnlyDictionary<string, long>) LoadNpy(TrainSettings settings, string path)
    {
        if (settings.LabelsPath is null)
        {
            throw new UsageException($"Data file '{settings.DataPath.Name}' is a single .npy array of inputs; give its labels with --labels <labels.npy>.");
        }

        if (settings.Inputs.Count > 0 || settings.Label is not null)
        {
            throw new UsageException("Options --inputs and --label choose CSV columns or .npz arrays; with .npy files use --data and --labels only.");
        }

        return Combine(NpyReader.ReadFile(path), NpyReader.ReadFile(settings.LabelsPath.FullName), settings.Loss);
    }

    private static (Dataset, IReadOnlyDictionary<string, long>) Combine(NpyArray inputs, NpyArray labels, LossKind loss)
    {
        if (inputs.Shape.Count == 0 || labels.Shape.Count == 0)
        {
            NpyArray scalar = inputs.Shape.Count == 0 ? inputs : labels;
            throw new DataFormatException($"{scalar.Source}: the array is a scalar; inputs and labels need the row count as their first dimension.");
        }

        if (inputs.Shape[0] != labels.Shape[0])
        {
            throw new DataFormatException(string.Create(CultureInfo.InvariantCulture,
                $"{inputs.Source} has {inputs.Shape[0]} rows (shape {inputs.ShapeText}) but {labels.Source} has {labels.Shape[0]} (shape {labels.ShapeText}); they must match."));
        }

        if (loss == LossKind.CrossEntropy && labels.Shape.Count != 1)
        {
            throw new DataFormatException($"{labels.Source}: cross-entropy needs one class index per row, shape (rows,), but the labels have shape {labels.ShapeText}.");
        }

        Array inputData = inputs.ElementType is NpyElementType.Int64 or NpyElementType.Int32 ? inputs.ToInt64() : inputs.ToSingle();
        long nanCount = inputData is float[] floats ? floats.LongCount(float.IsNaN) : 0;
        Array labelData = loss == LossKind.CrossEntropy
            ? CheckClassIndices(labels.ToInt64(), labels.Source)
            : labels.ToSingle();
        var data = new Dataset(inputs.Source, checked((int)inputs.Shape[0]), inputData, inputs.Shape.Skip(1).ToArray(), labelData, labels.Shape.Skip(1).ToArray());
        IReadOnlyDictionary<string, long> nanCounts = nanCount > 0
            ? new Dictionary<string, long> { [inputs.Source] = nanCount }
            : new Dictionary<string, long>();
        return (data, nanCounts);
    }

    private static Array ToLabels(CsvTable table, LossKind loss)
    {
        double[] values = table.Labels;
        if (loss == LossKind.MeanSquaredError)
        {
            return Array.ConvertAll(values, v => (float)v);
        }

        var classes = new long[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            double value = values[i];
            if (!double.IsFinite(value) || Math.Floor(value) != value || value < 0 || value > int.MaxValue)
            {
                throw new DataFormatException(string.Create(CultureInfo.InvariantCulture,
                    $"{table.Source}: line {table.LineNumbers[i]}, label column '{table.LabelColumn}' is {value}, but cross-entropy labels must be class indices 0, 1, 2, ..."));
            }

            classes[i] = (long)value;
        }

        return classes;
    }

    private static long[] CheckClassIndices(long[] classes, string source)
    {
        for (int i = 0; i < classes.Length; i++)
        {
            if (classes[i] < 0)
            {
                throw new DataFormatException(string.Create(CultureInfo.InvariantCulture,
                    $"{source}: element {i} is {classes[i]}, but cross-entropy labels must be class indices 0, 1, 2, ..."));
            }
        }

        return classes;
    }
}
