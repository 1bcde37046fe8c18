using BenchmarkDotNet.Running;

namespace GradDiag.Benchmarks;

/// <summary>Runs the benchmarks named on the command line, for example <c>--filter *Statistics*</c>.</summary>
public static class Program
{
    /// <summary>Hands the arguments to BenchmarkDotNet's switcher over every benchmark in this assembly.</summary>
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
