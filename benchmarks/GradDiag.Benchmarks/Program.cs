using BenchmarkDotNet.Running;

namespace GradDiag.Benchmarks;

/// <summary>Runs the benchmarks named on the command line, for example <c>--filter *Statistics*</c>.</summary>
public static class Program
{
    /// <summary>
    /// Hands the arguments to BenchmarkDotNet's switcher over every benchmark in this assembly, or runs the memory
    /// soak when the first argument is <c>soak</c>, or the alternating overhead measurement when it is <c>overhead</c>.
    /// </summary>
    public static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "soak")
        {
            return OrtBackend.SoakRun.Run(args);
        }

        if (args.Length > 0 && args[0] == "overhead")
        {
            return OrtBackend.OverheadRun.Run(args);
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }
}
