using GradDiag.Cli.Infrastructure;

namespace GradDiag.Cli.Commands;

/// <summary>Checks a model path before any engine opens it.</summary>
internal static class ModelFile
{
    /// <summary>Returns the file when it exists and is not empty.</summary>
    /// <exception cref="InputException">The file is missing, a folder or empty.</exception>
    public static FileInfo RequireReadable(FileInfo file)
    {
        ArgumentNullException.ThrowIfNull(file);
        if (Directory.Exists(file.FullName))
        {
            throw new InputException($"Model '{file.FullName}' is a folder; pass the .onnx file.");
        }

        if (!file.Exists)
        {
            throw new InputException($"Model file '{file.FullName}' was not found.");
        }

        if (file.Length == 0)
        {
            throw new InputException($"Model file '{file.FullName}' is empty.");
        }

        return file;
    }
}
