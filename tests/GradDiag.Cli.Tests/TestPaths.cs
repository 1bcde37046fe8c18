namespace GradDiag.Cli.Tests;

/// <summary>Paths of repository files used by the tests, found by walking up from the test assembly.</summary>
internal static class TestPaths
{
    public static string RepositoryRoot { get; } = FindRoot();

    public static string DigitsNpz => Path.Combine(RepositoryRoot, "data", "digits", "digits.npz");

    public static string DigitsCsv => Path.Combine(RepositoryRoot, "tests", "fixtures", "data", "digits.csv");

    public static string DigitsMlp => Path.Combine(RepositoryRoot, "tests", "fixtures", "onnx", "digits_mlp.onnx");

    public static string TfEvents(string name) => Path.Combine(RepositoryRoot, "tests", "fixtures", "tfevents", name);

    public static string OnnxFixture(string name) => Path.Combine(RepositoryRoot, "tests", "fixtures", "onnx", name);

    public static string NewTempFolder()
    {
        string folder = Path.Combine(Path.GetTempPath(), "graddiag-cli-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        return folder;
    }

    private static string FindRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "GradDiag.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException($"GradDiag.sln was not found above {AppContext.BaseDirectory}.");
    }
}
