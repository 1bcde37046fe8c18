namespace GradDiag.Cli.Engines;

/// <summary>The settings of <c>graddiag demo</c>.</summary>
/// <param name="DataPath">The digits archive (<c>digits.npz</c>).</param>
/// <param name="LogDirectory">The folder that receives one run folder per model.</param>
/// <param name="Device">The device to train on.</param>
/// <param name="Steps">The number of training steps per model.</param>
/// <param name="Seed">The shuffle seed.</param>
internal sealed record DemoSettings(FileInfo DataPath, DirectoryInfo LogDirectory, DeviceSpec Device, long Steps, int Seed);
