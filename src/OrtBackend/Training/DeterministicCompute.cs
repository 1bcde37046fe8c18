using System.Reflection;
using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;

namespace GradDiag.OrtBackend.Training;

/// <summary>
/// Turns on ONNX Runtime's deterministic compute for a session. The C API has SetDeterministicCompute since
/// release 1.17, but the 1.32 managed package does not expose it, so its function pointer is read from the
/// package's internal API table.
/// </summary>
internal static class DeterministicCompute
{
    [UnmanagedFunctionPointer(CallingConvention.Winapi)]
    private delegate IntPtr SetDeterministicComputeFunction(IntPtr sessionOptions, [MarshalAs(UnmanagedType.U1)] bool value);

    /// <exception cref="NotSupportedException">The managed package lacks the internal API table (another version than 1.32).</exception>
    /// <exception cref="InvalidOperationException">ONNX Runtime returned an error status.</exception>
    public static void Enable(SessionOptions options)
    {
        var assembly = typeof(SessionOptions).Assembly;
        var apiField = assembly.GetType("Microsoft.ML.OnnxRuntime.NativeMethods")?.GetField("api_", BindingFlags.NonPublic | BindingFlags.Static);
        var api = apiField?.GetValue(null);
        var pointer = api?.GetType().GetField("SetDeterministicCompute", BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance)?.GetValue(api) as IntPtr?;
        if (pointer is not { } function || function == IntPtr.Zero)
        {
            throw new NotSupportedException(
                $"OrtBackendOptions.DeterministicCompute needs the SetDeterministicCompute entry of the ONNX Runtime C API, which the managed assembly {assembly.GetName().Version} does not expose. Use Microsoft.ML.OnnxRuntime.Managed 1.32, or leave DeterministicCompute off.");
        }

        var call = Marshal.GetDelegateForFunctionPointer<SetDeterministicComputeFunction>(function);
        var status = call(options.DangerousGetHandle(), true);
        if (status != IntPtr.Zero)
        {
            // NOTE: the OrtStatus is not released; this path runs at most once per session and only on failure.
            throw new InvalidOperationException("ONNX Runtime rejected SetDeterministicCompute for the session options.");
        }
    }
}
