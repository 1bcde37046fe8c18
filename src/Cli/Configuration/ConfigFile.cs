using System.Globalization;
using System.Text.Json;
using GradDiag.Cli.Infrastructure;

namespace GradDiag.Cli.Configuration;

/// <summary>
/// A JSON configuration file for <c>graddiag train</c>: one object whose keys are the long option names without
/// dashes (<c>"batch-size": 64</c>). Relative paths in it are resolved against the file's own folder.
/// </summary>
internal sealed class ConfigFile
{
    private static readonly JsonDocumentOptions ParseOptions = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    private readonly Dictionary<string, JsonElement> _values;

    private ConfigFile(FileInfo file, Dictionary<string, JsonElement> values)
    {
        File = file;
        _values = values;
    }

    /// <summary>Gets the file the configuration was read from.</summary>
    public FileInfo File { get; }

    /// <summary>Gets the keys present in the file.</summary>
    public IEnumerable<string> Keys => _values.Keys;

    /// <summary>Reads and checks a configuration file.</summary>
    /// <param name="file">The JSON file.</param>
    /// <param name="knownKeys">The keys the command accepts.</param>
    /// <exception cref="InputException">The file is missing, unreadable or not valid JSON.</exception>
    /// <exception cref="UsageException">The root is not an object, a key repeats or a key is unknown.</exception>
    public static ConfigFile Load(FileInfo file, IReadOnlyCollection<string> knownKeys)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(knownKeys);
        if (!file.Exists)
        {
            throw new InputException($"Configuration file '{file.FullName}' was not found.");
        }

        byte[] bytes = System.IO.File.ReadAllBytes(file.FullName);
        using JsonDocument document = ParseDocument(file, bytes);
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            throw new UsageException($"Configuration file '{file.FullName}' must contain one JSON object, but its root is {Describe(document.RootElement)}.");
        }

        var values = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (JsonProperty property in document.RootElement.EnumerateObject())
        {
            if (!knownKeys.Contains(property.Name))
            {
                throw new UsageException(
                    $"Configuration file '{file.FullName}' has unknown key '{property.Name}'. Valid keys: {string.Join(", ", knownKeys.Order(StringComparer.Ordinal))}.");
            }

            if (!values.TryAdd(property.Name, property.Value.Clone()))
            {
                throw new UsageException($"Configuration file '{file.FullName}' sets key '{property.Name}' more than once.");
            }
        }

        return new ConfigFile(file, values);
    }

    /// <summary>Returns true when the file sets <paramref name="key"/>.</summary>
    public bool Contains(string key) => _values.ContainsKey(key);

    /// <summary>
    /// Returns the value of <paramref name="key"/> converted to <typeparamref name="T"/>: string, bool, int, long,
    /// double (or their nullable forms), string[] (a JSON array or a comma-separated string), FileInfo or DirectoryInfo.
    /// </summary>
    /// <exception cref="UsageException">The JSON value does not convert; the message names the key and both types.</exception>
    public T Get<T>(string key)
    {
        JsonElement element = _values[key];
        Type target = Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T);
        if (element.ValueKind == JsonValueKind.Null)
        {
            if (Nullable.GetUnderlyingType(typeof(T)) is not null || !typeof(T).IsValueType)
            {
                return default!;
            }

            throw Mismatch(key, "a value", element);
        }

        object value = target switch
        {
            _ when target == typeof(string) => element.ValueKind == JsonValueKind.String ? element.GetString()! : throw Mismatch(key, "a string", element),
            _ when target == typeof(bool) => element.ValueKind is JsonValueKind.True or JsonValueKind.False ? element.GetBoolean() : throw Mismatch(key, "true or false", element),
            _ when target == typeof(int) => element.ValueKind == JsonValueKind.Number && element.TryGetInt32(out int i) ? i : throw Mismatch(key, "a whole number", element),
            _ when target == typeof(long) => element.ValueKind == JsonValueKind.Number && element.TryGetInt64(out long l) ? l : throw Mismatch(key, "a whole number", element),
            _ when target == typeof(double) => element.ValueKind == JsonValueKind.Number ? element.GetDouble() : throw Mismatch(key, "a number", element),
            _ when target == typeof(string[]) => ReadStrings(key, element),
            _ when target == typeof(FileInfo) => new FileInfo(ResolvePath(key, element)),
            _ when target == typeof(DirectoryInfo) => new DirectoryInfo(ResolvePath(key, element)),
            _ => throw new NotSupportedException($"Configuration values of type {typeof(T).Name} are not supported (key '{key}')."),
        };

        return (T)value;
    }

    private static JsonDocument ParseDocument(FileInfo file, byte[] bytes)
    {
        try
        {
            return JsonDocument.Parse(bytes, ParseOptions);
        }
        catch (JsonException exception)
        {
            string where = exception.LineNumber is long line
                ? string.Create(CultureInfo.InvariantCulture, $" at line {line + 1}, byte {exception.BytePositionInLine + 1}")
                : string.Empty;
            throw new InputException($"Configuration file '{file.FullName}' is not valid JSON{where}.", exception);
        }
    }

    private string[] ReadStrings(string key, JsonElement element)
    {
        if (element.ValueKind == JsonValueKind.String)
        {
            return element.GetString()!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        }

        if (element.ValueKind != JsonValueKind.Array)
        {
            throw Mismatch(key, "an array of strings", element);
        }

        var items = new List<string>();
        foreach (JsonElement item in element.EnumerateArray())
        {
            items.Add(item.ValueKind == JsonValueKind.String ? item.GetString()! : throw Mismatch(key, "an array of strings", item));
        }

        return [.. items];
    }

    private string ResolvePath(string key, JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(element.GetString()))
        {
            throw Mismatch(key, "a path string", element);
        }

        string folder = File.DirectoryName ?? Directory.GetCurrentDirectory();
        return Path.GetFullPath(element.GetString()!, folder);
    }

    private UsageException Mismatch(string key, string expected, JsonElement found) =>
        new($"Configuration file '{File.FullName}', key '{key}': expected {expected}, found {Describe(found)}.");

    private static string Describe(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => $"the string \"{element.GetString()}\"",
        JsonValueKind.Number => $"the number {element.GetRawText()}",
        JsonValueKind.True or JsonValueKind.False => $"the boolean {element.GetRawText()}",
        JsonValueKind.Null => "null",
        JsonValueKind.Array => "an array",
        JsonValueKind.Object => "an object",
        _ => element.ValueKind.ToString(),
    };
}
