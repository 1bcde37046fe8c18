using GradDiag.OrtBackend.Checkpoints;
using GradDiag.OrtBackend.Models;

namespace GradDiag.OrtBackend.Artifacts;

/// <summary>
/// An opened training-artifacts folder: the checked manifest, the paths of its model files, and checkpoint
/// loading that verifies the checkpoint belongs to the same source model and parameter set.
/// </summary>
internal sealed class TrainingArtifacts
{
    private readonly byte[] sourceHash;

    private TrainingArtifacts(string directory, ArtifactManifest manifest)
    {
        Directory = directory;
        Manifest = manifest;
        sourceHash = Convert.FromHexString(manifest.SourceModel.Sha256);
    }

    /// <summary>Gets the artifacts folder.</summary>
    public string Directory { get; }

    /// <summary>Gets the manifest.</summary>
    public ArtifactManifest Manifest { get; }

    public string TrainingModelPath => Path.Combine(Directory, Manifest.Models.Training.File);

    public string EvalModelPath => Path.Combine(Directory, Manifest.Models.Eval.File);

    public string OptimizerModelPath => Path.Combine(Directory, Manifest.Models.Optimizer.File);

    public string StatisticsModelPath => Path.Combine(Directory, Manifest.Models.Statistics.File);

    public string CheckpointPath => Path.Combine(Directory, Manifest.CheckpointFile);

    /// <summary>Opens a folder and, when <paramref name="sourceModelPath"/> is given, checks that the model file is unchanged.</summary>
    /// <exception cref="ArtifactException">The manifest is missing or invalid, or the source model's SHA-256 differs from the manifest's.</exception>
    public static TrainingArtifacts Open(string directory, string? sourceModelPath = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        var manifestPath = Path.Combine(directory, TrainingArtifactBuilder.ManifestFileName);
        var manifest = ManifestFile.Load(manifestPath);
        if (sourceModelPath is not null)
        {
            var actual = Convert.ToHexStringLower(TrainingArtifactBuilder.HashFile(sourceModelPath));
            if (!string.Equals(actual, manifest.SourceModel.Sha256, StringComparison.OrdinalIgnoreCase))
            {
                throw new ArtifactException($"The model file '{sourceModelPath}' changed since the artifacts in '{directory}' were built: manifest source_model.sha256 is {manifest.SourceModel.Sha256}, the file's SHA-256 is {actual}. Build the artifacts again.");
            }
        }

        return new TrainingArtifacts(directory, manifest);
    }

    /// <summary>
    /// Loads a checkpoint (the folder's initial one when <paramref name="path"/> is null) and checks that it
    /// belongs to this source model and contains every trainable parameter with the manifest's type and shape.
    /// </summary>
    /// <exception cref="CheckpointException">The file is torn, foreign, of another model, or misses a parameter.</exception>
    public TrainingCheckpoint LoadCheckpoint(string? path = null)
    {
        path ??= CheckpointPath;
        var checkpoint = CheckpointFile.Load(path, sourceHash);
        foreach (var parameter in Manifest.TrainableParameters)
        {
            var tensor = checkpoint.Find(parameter.Name);
            if (tensor is null || tensor.Kind != CheckpointTensorKind.Parameter)
            {
                throw new CheckpointException(path, $"tensors '{parameter.Name}'", "The trainable parameter is missing from the checkpoint.");
            }

            var found = $"{DataTypes.Name(tensor.ElementType)}[{string.Join(", ", tensor.Dims)}]";
            var expected = $"{parameter.ElementType}[{string.Join(", ", parameter.Shape)}]";
            if (found != expected)
            {
                throw new CheckpointException(path, $"tensors '{parameter.Name}'", "The parameter's type or shape differs from the manifest's.", expected, found);
            }
        }

        return checkpoint;
    }
}
