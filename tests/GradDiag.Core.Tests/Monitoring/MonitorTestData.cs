namespace GradDiag.Core.Tests.Monitoring;

/// <summary>Small parameter sets and gradients shared by the monitor tests.</summary>
internal static class MonitorTestData
{
    public static ParameterSet TwoLayers() => new(
    [
        new ParameterDescriptor("fc1.weight", [2, 2], 0),
        new ParameterDescriptor("fc2.weight", [3], 1),
    ]);

    public static Dictionary<string, float[]> Gradients(float scale) => new()
    {
        ["fc1.weight"] = [3 * scale, 4 * scale, 0, 0],
        ["fc2.weight"] = [scale, scale, scale],
    };

    public static Dictionary<string, float[]> Weights() => new()
    {
        ["fc1.weight"] = [1, 1, 1, 1],
        ["fc2.weight"] = [2, 0, 0],
    };
}
