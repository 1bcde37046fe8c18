using System.Reflection;
using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;

namespace GradDiag.OrtBackend.Training;

/// <summary>
/// Turns on ONNX Runtime's deterministic compute for a session. The C API of 1.32 has SetDeterministicCompute,
/// but the managed SessionOptions does not expose it, so its function pointer is read from the package's
/// internal API table.
/// </summary>
internal static class DeterministicCompute
{
    [UnmanagedFunctionPointer(CallingConvention.Winapi)]
    private delegate IntPtr SetDeterministicComputeFunction(IntPtr sessionOptions, [MarshalAs(UnmanagedType.U1)] bool value);

    [UnmanagedFunctionPointer(CallingConvention.Winapi)]
    private delegate IntPtr GetErrorMessageFunction(IntPtr status);

    [UnmanagedFunctionPointer(CallingConvention.Winapi)]
    private delegate void ReleaseStatusFunction(IntPtr status);

    /// <exception cref="NotSupportedException">The managed package lacks the internal API table (another version than 1.32).</exception>
    /// <exception cref="InvalidOperationException">ONNX Runtime returned an error status.</exception>
    public static void Enable(SessionOptions options)
    {
        var assembly = typeof(SessionOptions).Assembly;
        var apiField = assembly.GetType("Microsoft.ML.OnnxRuntime.NativeMethods")?.GetField("api_", BindingFlags.NonPublic | BindingFlags.Static);
        var api = apiField?.GetValue(null);
        var function = Pointer(api, "SetDeterministicCompute");
        if (function == IntPtr.Zero)
        {
            throw new NotSupportedException(
                $"OrtBackendOptions.DeterministicCompute needs the SetDeterministicCompute entry of the ONNX Runtime C API, which the managed assembly {assembly.GetName().Version} does not expose. Use Microsoft.ML.OnnxRuntime.Managed 1.32, or leave DeterministicCompute off.");
        }

        var status = Marshal.GetDelegateForFunctionPointer<SetDeterministicComputeFunction>(function)(options.DangerousGetHandle(), true);
        if (status == IntPtr.Zero)
        {
            return;
        }

        var message = Marshal.PtrToStringUTF8(Marshal.GetDelegateForFunctionPointer<GetErrorMessageFunction>(Pointer(api, "GetErrorMessage"))(status));
        Marshal.GetDelegateForFunctionPointer<ReleaseStatusFunction>(Pointer(api, "ReleaseStatus"))(status);
        throw new InvalidOperationException($"ONNX Runtime rejected SetDeterministicCompute for the session options: {message}");
    }

    private static IntPtr Pointer(object? api, string name) =>
        api?.GetType().GetField(name, BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance)?.GetValue(api) as IntPtr? ?? IntPtr.Zero;
}
