using System.Text.Json;
using System.Text.Json.Serialization;

namespace GradDiag.OrtBackend.Artifacts;

/// <summary>Writes manifest.json atomically and reads it back with schema checks.</summary>
internal static class ManifestFile
{
    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        RespectNullableAnnotations = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip,
    };

    /// <summary>Writes the manifest through a temporary file that is flushed to disk and renamed over <paramref name="path"/>.</summary>
    public static void Save(string path, ArtifactManifest manifest)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(manifest, JsonOptions);
        var fullPath = Path.GetFullPath(path);
        var temporary = fullPath + ".tmp-" + Guid.NewGuid().ToString("N");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write))
            {
                stream.Write(bytes);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, fullPath, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary))
            {
                File.Delete(temporary);
            }
        }
    }

    /// <exception cref="ArtifactException">The file is missing, not valid JSON, or of another schema version.</exception>
    public static ArtifactManifest Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new ArtifactException($"The artifact manifest '{path}' was not found. Build the artifacts first.");
        }

        ArtifactManifest? manifest;
        try
        {
            manifest = JsonSerializer.Deserialize<ArtifactManifest>(File.ReadAllBytes(path), JsonOptions);
        }
        catch (JsonException ex)
        {
            throw new ArtifactException($"The artifact manifest '{path}' is not valid: {ex.Message}", ex);
        }

        if (manifest is null)
        {
            throw new ArtifactException($"The artifact manifest '{path}' is empty (JSON null).");
        }

        if (manifest.SchemaVersion != ArtifactManifest.CurrentSchemaVersion)
        {
            throw new ArtifactException($"The artifact manifest '{path}' has schema_version {manifest.SchemaVersion}; this version of GradDiag reads schema_version {ArtifactManifest.CurrentSchemaVersion}. Build the artifacts again.");
        }

        if (manifest.SourceModel.Sha256.Length != 64 || manifest.TrainableParameters.Count == 0 || manifest.CheckpointFile.Length == 0)
        {
            throw new ArtifactException($"The artifact manifest '{path}' lacks source_model.sha256 (64 hex digits), trainable_parameters or checkpoint_file.");
        }

        return manifest;
    }
}
