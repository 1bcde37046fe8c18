using System.Text.Json;
using System.Text.Json.Serialization;

namespace GradDiag.Detectors.Reporting;

/// <summary>Writes a <see cref="FindingKind"/> as its name string and reads it back.</summary>
internal sealed class FindingKindJsonConverter : JsonConverter<FindingKind>
{
    public override FindingKind Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw new JsonException($"A finding kind must be a JSON string such as \"exploding\", but the token is {reader.TokenType}.");
        }

        string? value = reader.GetString();
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new JsonException("A finding kind must not be an empty string.");
        }

        return new FindingKind(value);
    }

    public override void Write(Utf8JsonWriter writer, FindingKind value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue(value.Value);
    }
}
