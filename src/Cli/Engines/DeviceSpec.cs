using System.Globalization;
using GradDiag.Cli.Infrastructure;

namespace GradDiag.Cli.Engines;

/// <summary>The device to train on: the CPU or one CUDA device.</summary>
/// <param name="IsCuda">True for a CUDA device.</param>
/// <param name="Index">The CUDA device index; 0 for the CPU.</param>
internal readonly record struct DeviceSpec(bool IsCuda, int Index)
{
    /// <summary>Gets the CPU.</summary>
    public static DeviceSpec Cpu { get; } = new(false, 0);

    /// <summary>Parses <c>cpu</c>, <c>cuda</c> (device 0) or <c>cuda:N</c>.</summary>
    /// <exception cref="UsageException">The text has none of these forms.</exception>
    public static DeviceSpec Parse(string text, string optionName)
    {
        ArgumentNullException.ThrowIfNull(text);
        string value = text.Trim().ToLowerInvariant();
        if (value == "cpu")
        {
            return Cpu;
        }

        if (value == "cuda")
        {
            return new DeviceSpec(true, 0);
        }

        if (value.StartsWith("cuda:", StringComparison.Ordinal)
            && int.TryParse(value.AsSpan(5), NumberStyles.None, CultureInfo.InvariantCulture, out int index))
        {
            return new DeviceSpec(true, index);
        }

        throw new UsageException($"Invalid {optionName} '{text}': expected cpu, cuda or cuda:N with N a device index such as cuda:1.");
    }

    /// <inheritdoc/>
    public override string ToString() => IsCuda ? string.Create(CultureInfo.InvariantCulture, $"cuda:{Index}") : "cpu";
}
