namespace GradDiag.OrtBackend.Tests.Support;

/// <summary>Finds files under the repository's tests/fixtures folder from the test binary's folder.</summary>
internal static class FixturePaths
{
    public static string Onnx(string fileName) => Path.Combine(Root(), "onnx", fileName);

    private static string Root()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "tests", "fixtures");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException($"No tests/fixtures folder above {AppContext.BaseDirectory}.");
    }
}
