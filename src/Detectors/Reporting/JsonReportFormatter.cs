using System.Text.Json;

namespace GradDiag.Detectors.Reporting;

/// <summary>Writes a <see cref="RunReport"/> as versioned JSON and reads it back.</summary>
/// <remarks>
/// Property names are camelCase; severities and verdicts are lowercase strings; NaN and infinities are the
/// strings <c>"NaN"</c>, <c>"Infinity"</c> and <c>"-Infinity"</c>. <c>verdict</c> and a finding's <c>isOpen</c>
/// are written for readers but derived again when read. The field-by-field schema is in docs/ci.md.
/// </remarks>
public static class JsonReportFormatter
{
    /// <summary>Returns the report as indented JSON.</summary>
    /// <param name="report">The report.</param>
    /// <returns>The JSON text.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="report"/> is null.</exception>
    public static string Format(RunReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        return JsonSerializer.Serialize(report, ReportJsonContext.Default.RunReport);
    }

    /// <summary>Writes the report as indented UTF-8 JSON to <paramref name="stream"/>.</summary>
    /// <param name="report">The report.</param>
    /// <param name="stream">The destination; left open.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static void Write(RunReport report, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(stream);
        JsonSerializer.Serialize(stream, report, ReportJsonContext.Default.RunReport);
    }

    /// <summary>Reads a report from JSON text.</summary>
    /// <param name="json">The JSON text.</param>
    /// <returns>The report.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="json"/> is null.</exception>
    /// <exception cref="JsonException">The text is not a report of a supported schema version; the message names the field.</exception>
    public static RunReport Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        using JsonDocument document = JsonDocument.Parse(json);
        return FromDocument(document);
    }

    /// <summary>Reads a report from UTF-8 JSON in <paramref name="stream"/>.</summary>
    /// <param name="stream">The source; left open.</param>
    /// <returns>The report.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="stream"/> is null.</exception>
    /// <exception cref="JsonException">The stream is not a report of a supported schema version; the message names the field.</exception>
    public static RunReport Read(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using JsonDocument document = JsonDocument.Parse(stream);
        return FromDocument(document);
    }

    private static RunReport FromDocument(JsonDocument document)
    {
        JsonElement root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new JsonException($"A GradDiag report must be a JSON object, but the document is a {root.ValueKind}.");
        }

        if (!root.TryGetProperty("schemaVersion", out JsonElement version) || version.ValueKind != JsonValueKind.Number || !version.TryGetInt32(out int schemaVersion))
        {
            throw new JsonException("A GradDiag report needs an integer field 'schemaVersion'; it is missing or not an integer.");
        }

        if (schemaVersion < 1 || schemaVersion > RunReport.CurrentSchemaVersion)
        {
            throw new JsonException($"The report has schemaVersion {schemaVersion}, but this version of GradDiag reads schema versions 1 to {RunReport.CurrentSchemaVersion}; update GradDiag to read it.");
        }

        return root.Deserialize(ReportJsonContext.Default.RunReport)
            ?? throw new JsonException("The report JSON is null.");
    }
}
