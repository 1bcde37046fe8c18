using System.Text.Json;
using GradDiag.Detectors;
using GradDiag.OrtBackend.Optimizers;
using GradDiag.OrtBackend.Tests.Support;
using GradDiag.OrtBackend.Training;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.ML.OnnxRuntime;

namespace GradDiag.OrtBackend.Tests.Training;

/// <summary>Trains the digits fixtures through <see cref="OrtTrainingBackend"/> on the CPU provider.</summary>
public sealed class OrtTrainingBackendTests : IDisposable
{
    /// <summary>
    /// Relative bound for the PyTorch SGD traces. PyTorch's float32 trace differs from its own float64 rerun by up to
    /// 1.0e-6 relative (digits_cnn gradient norms), and ONNX Runtime sums in float32 in another order. The largest
    /// gradient-norm difference measured on ONNX Runtime 1.32 CPU was 8.6e-7 (digits_cnn) and 1.8e-7 (digits_mlp),
    /// so 1e-5 leaves a tenfold margin. A learning rate 10% too high already fails the parameter norms after the
    /// first update (measured 2.4e-5 on digits_cnn and 3.5e-4 on digits_mlp).
    /// </summary>
    private const double TraceTolerance = 1e-5;

    private readonly TempDirectory directory = new();

    public void Dispose() => directory.Dispose();

    [Theory]
    [InlineData("digits_mlp")]
    [InlineData("digits_cnn")]
    public void Loss_decreases_over_30_steps(string model)
    {
        var adam = new OptimizerOptions { Kind = OptimizerKind.Adam };
        using var backend = BackendSetup.Digits(directory, model, adam, o => o.LearningRate = 0.01);
        var heldOut = DigitsData.Batch(model, 1700, 97);
        var before = backend.Evaluate(heldOut);
        var losses = new List<double>();
        for (var step = 0; step < 30; step++)
        {
            losses.Add(backend.ComputeGradients(DigitsData.Batch(model, step * 50 % 1600, 64)));
            backend.ApplyUpdate(null);
        }

        var after = backend.Evaluate(heldOut);
        Console.WriteLine($"{model}: first five {losses.Take(5).Average():F4}, last five {losses.TakeLast(5).Average():F4}, held out {before:F4} -> {after:F4}");
        losses.TakeLast(5).Average().Should().BeLessThan(0.5 * losses.Take(5).Average());
        after.Should().BeLessThan(0.5 * before);
        backend.Step.Should().Be(30);
        backend.UpdatesApplied.Should().Be(30);
    }

    [Theory]
    [InlineData("digits_mlp")]
    [InlineData("digits_cnn")]
    public void Gradient_norms_match_torch_trace(string model)
    {
        using var trace = JsonDocument.Parse(File.ReadAllBytes(FixturePaths.Onnx(model + ".sgd_trace.json")));
        var learningRate = trace.RootElement.GetProperty("optimizer").GetProperty("learning_rate").GetDouble();
        using var backend = BackendSetup.Digits(directory, model, BackendSetup.PlainSgd, o => o.LearningRate = learningRate);
        var snapshot = new GradientSnapshot(backend.Parameters);
        var steps = 0;
        var largest = 0.0;
        foreach (var step in trace.RootElement.GetProperty("steps").EnumerateArray())
        {
            var first = step.GetProperty("rows")[0].GetInt32();
            var loss = backend.ComputeGradients(DigitsData.Batch(model, first, 64));
            Relative(loss, step.GetProperty("loss").GetDouble()).Should().BeLessThan(TraceTolerance, $"loss at step {steps}");

            backend.CaptureGradients(snapshot, includeHostValues: false);
            for (var i = 0; i < backend.Parameters.Count; i++)
            {
                var name = backend.Parameters[i].Name;
                snapshot.TryGetDeviceStatistics(i, out var statistics, out _).Should().BeTrue();
                var expected = step.GetProperty("gradient_l2_norms").GetProperty(name).GetDouble();
                largest = Math.Max(largest, Relative(statistics.L2Norm, expected));
                Relative(statistics.L2Norm, expected).Should().BeLessThan(TraceTolerance, $"gradient norm of {name} at step {steps}");
            }

            backend.ApplyUpdate(snapshot);
            Relative(snapshot.GlobalNorm, step.GetProperty("global_gradient_l2_norm").GetDouble()).Should().BeLessThan(TraceTolerance, $"global norm at step {steps}");
            foreach (var parameter in step.GetProperty("parameter_l2_norms_after_update").EnumerateObject())
            {
                var norm = Math.Sqrt(backend.GetParameterValues(parameter.Name).Sum(v => (double)v * v));
                Relative(norm, parameter.Value.GetDouble()).Should().BeLessThan(TraceTolerance, $"norm of {parameter.Name} after step {steps}");
            }

            steps++;
        }

        Console.WriteLine($"{model}: largest relative gradient-norm difference {largest:E2}");
        steps.Should().Be(10);
    }

    [Theory]
    [InlineData(OptimizerPath.Graph, 8, 28, "loss and global norm (4 bytes each), a 6-column float row and one update sum of squares per parameter")]
    [InlineData(OptimizerPath.Host, 4, 24, "the loss and a 6-column float row per parameter; the host update measures itself")]
    public void Ordinary_step_reads_back_o_of_parameters(OptimizerPath optimizerPath, int fixedBytes, int bytesPerParameter, string because)
    {
        using var backend = BackendSetup.Digits(directory, "digits_mlp", BackendSetup.PlainSgd, o =>
        {
            o.StatisticsPath = GradientStatisticsPath.Graph;
            o.OptimizerPath = optimizerPath;
        });
        using var monitor = new GradientMonitor(new GradDiagOptions { StatisticsInterval = 1, HistogramInterval = 50 }, backend: backend);
        monitor.TrainStep(DigitsData.Batch("digits_mlp", 0, 64));

        var parameterCount = backend.Parameters.Count;
        var elementCount = backend.Parameters.Sum(p => p.ElementCount);
        for (var step = 1; step <= 3; step++)
        {
            var before = backend.BytesCopiedToHost;
            var result = monitor.TrainStep(DigitsData.Batch("digits_mlp", step * 64, 64));
            var read = backend.BytesCopiedToHost - before;

            result.Observed.Should().BeTrue();
            read.Should().Be(fixedBytes + (bytesPerParameter * parameterCount), because);
            double.IsFinite(result.GlobalNorm).Should().BeTrue();
            read.Should().BeLessThan(4 * elementCount / 50);
        }
    }

    [Fact]
    public void Host_path_step_reads_back_only_loss()
    {
        using var backend = BackendSetup.Digits(directory, "digits_mlp", BackendSetup.PlainSgd);
        using var monitor = new GradientMonitor(new GradDiagOptions { StatisticsInterval = 1, HistogramInterval = 50 }, backend: backend);
        monitor.TrainStep(DigitsData.Batch("digits_mlp", 0, 64));

        for (var step = 1; step <= 3; step++)
        {
            var before = backend.BytesCopiedToHost;
            var result = monitor.TrainStep(DigitsData.Batch("digits_mlp", step * 64, 64));

            result.Observed.Should().BeTrue();
            (backend.BytesCopiedToHost - before).Should().Be(4, "the host path reads gradients and parameters in place, so only the loss comes from an ONNX Runtime output");
            double.IsFinite(result.GlobalNorm).Should().BeTrue();
        }
    }

    [Fact]
    public void Histogram_step_reads_gradients_and_parameters()
    {
        using var backend = BackendSetup.Digits(directory, "digits_mlp", BackendSetup.PlainSgd);
        var snapshot = new GradientSnapshot(backend.Parameters);
        backend.ComputeGradients(DigitsData.Batch("digits_mlp", 0, 64));
        var before = backend.BytesCopiedToHost;

        backend.CaptureGradients(snapshot, includeHostValues: true);

        (backend.BytesCopiedToHost - before).Should().Be(8 * backend.Parameters.Sum(p => p.ElementCount));
        snapshot.GetGradient(0).Length.Should().Be((int)backend.Parameters[0].ElementCount);
        snapshot.GetParameterValues(0).Span.ToArray().Should().Equal(backend.GetParameterValues(backend.Parameters[0].Name));
    }

    [Fact]
    public void Host_kernel_statistics_match_statistics_model()
    {
        using var graph = BackendSetup.Digits(directory, "digits_mlp", BackendSetup.PlainSgd, o => o.StatisticsPath = GradientStatisticsPath.Graph);
        using var host = new OrtTrainingBackend(new OrtBackendOptions { ArtifactsDirectory = directory.File("artifacts"), IntraOpThreads = 1, LearningRate = 0.1 });
        var fromGraph = new GradientSnapshot(graph.Parameters);
        var fromHost = new GradientSnapshot(host.Parameters);
        graph.ComputeGradients(DigitsData.Batch("digits_mlp", 0, 64));
        host.ComputeGradients(DigitsData.Batch("digits_mlp", 0, 64));
        var before = host.BytesCopiedToHost;

        graph.CaptureGradients(fromGraph, includeHostValues: false);
        host.CaptureGradients(fromHost, includeHostValues: false);

        host.UsesHostStatistics.Should().BeTrue();
        graph.UsesHostStatistics.Should().BeFalse();
        (host.BytesCopiedToHost - before).Should().Be(0, "the host kernel reads the bound buffers in place");
        for (var i = 0; i < graph.Parameters.Count; i++)
        {
            fromGraph.TryGetDeviceStatistics(i, out var expected, out var expectedParameterSquares).Should().BeTrue();
            fromHost.TryGetDeviceStatistics(i, out var actual, out var actualParameterSquares).Should().BeTrue();
            Relative(actual.SumOfSquares, expected.SumOfSquares).Should().BeLessThan(1e-5);
            Relative(actualParameterSquares, expectedParameterSquares).Should().BeLessThan(1e-5);
            actual.MaxAbs.Should().Be(expected.MaxAbs);
            actual.ZeroCount.Should().Be(expected.ZeroCount);
            actual.NonFiniteCount.Should().Be(expected.NonFiniteCount);
        }
    }

    [Fact]
    public void Host_path_update_norms_match_model()
    {
        using var graph = BackendSetup.Digits(directory, "digits_mlp", BackendSetup.PlainSgd, o =>
        {
            o.StatisticsPath = GradientStatisticsPath.Graph;
            o.OptimizerPath = OptimizerPath.Graph;
        });
        using var host = new OrtTrainingBackend(new OrtBackendOptions { ArtifactsDirectory = directory.File("artifacts"), IntraOpThreads = 1, LearningRate = 0.1 });
        host.UsesHostOptimizer.Should().BeTrue("the CPU provider updates on the host by default");
        var fromGraph = new GradientSnapshot(graph.Parameters);
        var fromHost = new GradientSnapshot(host.Parameters);
        for (var step = 0; step < 2; step++)
        {
            var batch = DigitsData.Batch("digits_mlp", step * 64, 64);
            graph.ComputeGradients(batch);
            host.ComputeGradients(batch);
            graph.CaptureGradients(fromGraph, includeHostValues: false);
            host.CaptureGradients(fromHost, includeHostValues: step == 1);
            var before = host.BytesCopiedToHost;

            graph.ApplyUpdate(fromGraph);
            host.ApplyUpdate(fromHost);

            (host.BytesCopiedToHost - before).Should().Be(0, "without clipping the host path reads no optimizer output");
            Relative(fromHost.GlobalNorm, fromGraph.GlobalNorm).Should().BeLessThan(1e-5, $"the global norm of step {step}");
            Relative(host.LastGlobalNorm, graph.LastGlobalNorm).Should().BeLessThan(1e-5);
            for (var i = 0; i < graph.Parameters.Count; i++)
            {
                Relative(fromHost.GetUpdateSumOfSquares(i), fromGraph.GetUpdateSumOfSquares(i)).Should().BeLessThan(1e-5, $"{graph.Parameters[i].Name} at step {step}");
            }
        }

        foreach (var parameter in graph.Parameters)
        {
            host.GetParameterValues(parameter.Name).Should().Equal(graph.GetParameterValues(parameter.Name), "the host update evaluates the model's SGD operations in its order");
        }
    }

    [Fact]
    public void Host_path_parameter_norms_follow_parameters()
    {
        using var backend = BackendSetup.Digits(directory, "digits_mlp", BackendSetup.PlainSgd);
        var snapshot = new GradientSnapshot(backend.Parameters);
        var start = directory.File("start.gdckpt");
        backend.SaveCheckpoint(start);

        void CheckNorms(int batch, string when)
        {
            backend.ComputeGradients(DigitsData.Batch("digits_mlp", batch * 64, 64));
            backend.CaptureGradients(snapshot, includeHostValues: false);
            for (var i = 0; i < backend.Parameters.Count; i++)
            {
                snapshot.TryGetDeviceStatistics(i, out _, out var parameterSquares).Should().BeTrue();
                var expected = backend.GetParameterValues(backend.Parameters[i].Name).Sum(v => (double)v * v);
                Relative(parameterSquares, expected).Should().BeLessThan(1e-6, $"{backend.Parameters[i].Name} {when}");
            }
        }

        CheckNorms(0, "before any update");
        backend.ApplyUpdate(snapshot);
        CheckNorms(1, "after an observed update");
        backend.SkipUpdate();
        CheckNorms(2, "after a skipped update");
        backend.ApplyUpdate(snapshot);
        backend.LoadCheckpoint(start);
        CheckNorms(3, "after loading a checkpoint");
        backend.ApplyUpdate(null);
        CheckNorms(4, "after an unobserved update");
    }

    [Fact]
    public void Host_path_unobserved_update_has_no_norm()
    {
        using var backend = BackendSetup.Digits(directory, "digits_mlp", BackendSetup.PlainSgd);
        backend.ComputeGradients(DigitsData.Batch("digits_mlp", 0, 64));
        var before = backend.BytesCopiedToHost;

        backend.ApplyUpdate(null);

        (backend.BytesCopiedToHost - before).Should().Be(0);
        backend.LastGlobalNorm.Should().Be(double.NaN, "no statistics were captured and the optimizer model does not compute the norm");
    }

    [Fact]
    public void Array_capture_then_update_has_norm()
    {
        // A custom loop that reads the arrays and then updates without a snapshot still gets LastGlobalNorm.
        using var backend = BackendSetup.Digits(directory, "digits_mlp", BackendSetup.PlainSgd);
        var snapshot = new GradientSnapshot(backend.Parameters);
        backend.ComputeGradients(DigitsData.Batch("digits_mlp", 0, 64));
        backend.CaptureGradients(snapshot, includeHostValues: true);
        var expected = Math.Sqrt(Enumerable.Range(0, backend.Parameters.Count).Sum(i => snapshot.GetGradient(i).ToArray().Sum(g => (double)g * g)));

        backend.ApplyUpdate(null);

        Relative(backend.LastGlobalNorm, expected).Should().BeLessThan(3e-6);
    }

    [Fact]
    public void Host_path_with_clipping_reads_norm()
    {
        var clipped = new OptimizerOptions { Kind = OptimizerKind.Sgd, MaxGradientNorm = 0.5 };
        using var backend = BackendSetup.Digits(directory, "digits_mlp", clipped, o => o.OptimizerPath = OptimizerPath.Graph);
        var snapshot = new GradientSnapshot(backend.Parameters);
        backend.ComputeGradients(DigitsData.Batch("digits_mlp", 0, 64));
        backend.CaptureGradients(snapshot, includeHostValues: false);
        var captured = Math.Sqrt(Enumerable.Range(0, backend.Parameters.Count).Sum(i => snapshot.TryGetDeviceStatistics(i, out var s, out _) ? s.SumOfSquares : double.NaN));
        var before = backend.BytesCopiedToHost;

        backend.ApplyUpdate(snapshot);

        (backend.BytesCopiedToHost - before).Should().Be(4, "clipping computes the norm in the optimizer model, so the host path reads it");
        Relative(backend.LastGlobalNorm, captured).Should().BeLessThan(1e-5);
    }

    public static TheoryData<string> HostOptimizerSettings() => ["sgd-momentum", "adamw-clipped", "adam"];

    [Theory]
    [MemberData(nameof(HostOptimizerSettings))]
    public void Host_optimizer_matches_optimizer_model(string name)
    {
        var optimizer = name switch
        {
            "sgd-momentum" => new OptimizerOptions { Kind = OptimizerKind.Sgd, Momentum = 0.9, Nesterov = true, WeightDecay = 1e-3 },
            "adamw-clipped" => new OptimizerOptions { Kind = OptimizerKind.AdamW, WeightDecay = 0.01, MaxGradientNorm = 0.5 },
            _ => new OptimizerOptions { Kind = OptimizerKind.Adam, WeightDecay = 1e-3 },
        };
        using var graph = BackendSetup.Digits(directory, "digits_mlp", optimizer, o =>
        {
            o.OptimizerPath = OptimizerPath.Graph;
            o.LearningRate = 0.01;
        });
        using var host = new OrtTrainingBackend(new OrtBackendOptions { ArtifactsDirectory = directory.File("artifacts"), IntraOpThreads = 2, LearningRate = 0.01 });
        var fromGraph = new GradientSnapshot(graph.Parameters);
        var fromHost = new GradientSnapshot(host.Parameters);

        // Observed, histogram-step, unobserved and skipped steps, in the order a monitor can mix them.
        for (var step = 0; step < 6; step++)
        {
            var batch = DigitsData.Batch("digits_mlp", step * 64, 64);
            var graphLoss = graph.ComputeGradients(batch);
            var hostLoss = host.ComputeGradients(batch);
            Math.Abs(hostLoss - graphLoss).Should().BeLessThan(1e-5, $"both start step {step} from nearly the same parameters");
            var observed = step != 2;
            if (observed)
            {
                graph.CaptureGradients(fromGraph, includeHostValues: step == 1);
                host.CaptureGradients(fromHost, includeHostValues: step == 1);
            }

            if (step == 4)
            {
                graph.SkipUpdate();
                host.SkipUpdate();
                continue;
            }

            graph.ApplyUpdate(observed ? fromGraph : null);
            host.ApplyUpdate(observed ? fromHost : null);
            if (observed)
            {
                Relative(host.LastGlobalNorm, graph.LastGlobalNorm).Should().BeLessThan(1e-5, $"the global norm of step {step}");
                for (var i = 0; i < graph.Parameters.Count; i++)
                {
                    Relative(fromHost.GetUpdateSumOfSquares(i), fromGraph.GetUpdateSumOfSquares(i)).Should().BeLessThan(1e-4, $"{graph.Parameters[i].Name} at step {step}");
                }
            }

            foreach (var parameter in graph.Parameters)
            {
                var expected = graph.GetParameterValues(parameter.Name);
                var actual = host.GetParameterValues(parameter.Name);
                if (optimizer.Kind == OptimizerKind.Sgd)
                {
                    actual.Should().Equal(expected, $"{parameter.Name} after step {step}");
                    continue;
                }

                for (var k = 0; k < expected.Length; k++)
                {
                    Math.Abs(actual[k] - expected[k]).Should().BeLessThan(1e-6f, $"element {k} of {parameter.Name} after step {step}");
                }
            }
        }

        host.UpdatesApplied.Should().Be(graph.UpdatesApplied).And.Be(5);
    }

    [Fact]
    public void Host_update_in_parallel_ranges()
    {
        // bench_mlp's 1,863,690 elements run in ranges of 131,072 on two threads. Its 1024 x 1024 weight spans eight.
        using var backend = BackendSetup.Digits(directory, "bench_mlp", BackendSetup.PlainSgd, o =>
        {
            o.IntraOpThreads = 2;
            o.LearningRate = 0.01;
        });
        var random = new Random(3);
        var pixels = Enumerable.Range(0, 32 * 784).Select(_ => (float)random.NextDouble()).ToArray();
        var labels = Enumerable.Range(0, 32).Select(i => (long)(i % 10)).ToArray();
        var batch = new TrainingBatch().Add("input", pixels, 32, 784).Add("labels", labels, 32);
        var host = new GradientSnapshot(backend.Parameters);
        var fused = new GradientSnapshot(backend.Parameters);
        backend.ComputeGradients(batch);
        backend.CaptureGradients(host, includeHostValues: true);
        var gradients = Enumerable.Range(0, backend.Parameters.Count).Select(i => host.GetGradient(i).ToArray()).ToArray();
        var values = Enumerable.Range(0, backend.Parameters.Count).Select(i => host.GetParameterValues(i).ToArray()).ToArray();

        backend.CaptureGradients(fused, includeHostValues: false);
        backend.ApplyUpdate(fused);

        for (var i = 0; i < backend.Parameters.Count; i++)
        {
            var name = backend.Parameters[i].Name;
            var expected = TensorStatisticsKernel.Compute(gradients[i]);
            fused.TryGetDeviceStatistics(i, out var statistics, out var parameterSquares).Should().BeTrue();
            statistics.Count.Should().Be(gradients[i].Length);
            Relative(statistics.SumOfSquares, expected.SumOfSquares).Should().BeLessThan(3e-6, name);
            statistics.MaxAbs.Should().Be(expected.MaxAbs, name);
            statistics.ZeroCount.Should().Be(expected.ZeroCount, name);
            Relative(parameterSquares, values[i].Sum(v => (double)v * v)).Should().BeLessThan(3e-6, name);
            var updated = values[i].Select((v, k) => v - (gradients[i][k] * 0.01f)).ToArray();
            backend.GetParameterValues(name).Should().Equal(updated, $"{name} is w - lr * g in float32");
            var updateSquares = updated.Select((v, k) => (double)(v - values[i][k])).Sum(d => d * d);
            Relative(fused.GetUpdateSumOfSquares(i), updateSquares).Should().BeLessThan(3e-6, name);
        }
    }

    [Fact]
    public void Host_optimizer_with_clipping_reads_nothing()
    {
        var clipped = new OptimizerOptions { Kind = OptimizerKind.Sgd, MaxGradientNorm = 0.1 };
        using var backend = BackendSetup.Digits(directory, "digits_mlp", clipped);
        var snapshot = new GradientSnapshot(backend.Parameters);
        var before = backend.GetParameterValues("fc1.weight");
        backend.ComputeGradients(DigitsData.Batch("digits_mlp", 0, 64));
        backend.CaptureGradients(snapshot, includeHostValues: false);
        var captured = Math.Sqrt(Enumerable.Range(0, backend.Parameters.Count).Sum(i => snapshot.TryGetDeviceStatistics(i, out var s, out _) ? s.SumOfSquares : double.NaN));
        var read = backend.BytesCopiedToHost;

        backend.ApplyUpdate(snapshot);

        (backend.BytesCopiedToHost - read).Should().Be(0);
        Relative(backend.LastGlobalNorm, captured).Should().BeLessThan(1e-6);
        captured.Should().BeGreaterThan(0.1, "the gradient is clipped");
        var updateNorm = Math.Sqrt(Enumerable.Range(0, backend.Parameters.Count).Sum(snapshot.GetUpdateSumOfSquares));
        Relative(updateNorm, 0.1 * 0.1).Should().BeLessThan(1e-5, "SGD moves the clipped gradient, of norm 0.1, by lr 0.1");
        backend.GetParameterValues("fc1.weight").Should().NotEqual(before);
    }

    [Fact]
    public void Unknown_manifest_optimizer_is_rejected()
    {
        BackendSetup.Digits(directory, "digits_mlp", BackendSetup.PlainSgd).Dispose();
        var manifest = directory.File("artifacts/manifest.json");
        File.WriteAllText(manifest, File.ReadAllText(manifest).Replace("\"kind\": \"sgd\"", "\"kind\": \"lion\"", StringComparison.Ordinal));

        var act = () => new OrtTrainingBackend(new OrtBackendOptions { ArtifactsDirectory = directory.File("artifacts") });

        act.Should().Throw<GradDiag.OrtBackend.Artifacts.ArtifactException>().WithMessage("*unknown optimizer 'lion'*sgd, adam or adamw*");
    }

    [Fact]
    public void Create_rejects_options_before_writing()
    {
        var artifacts = directory.File("rejected");
        var act = () => BackendSetup.Digits(directory, "digits_mlp", BackendSetup.PlainSgd, o =>
        {
            o.ArtifactsDirectory = artifacts;
            o.IntraOpThreads = -1;
        });

        act.Should().Throw<ArgumentException>().WithMessage("*IntraOpThreads must be 0*-1*");
        Directory.Exists(artifacts).Should().BeFalse("invalid settings are rejected before the artifacts are built");
    }

    [Fact]
    public void Host_optimizer_needs_cpu()
    {
        var options = new OrtBackendOptions { ArtifactsDirectory = directory.Path, ExecutionProvider = OrtExecutionProvider.Cuda, OptimizerPath = OptimizerPath.Host };

        options.Validate().Should().ContainSingle().Which.Should().Contain("OptimizerPath is Host").And.Contain("ExecutionProvider Cpu");
        new OrtBackendOptions { ArtifactsDirectory = directory.Path, OptimizerPath = (OptimizerPath)7 }.Validate().Should().ContainSingle().Which.Should().Contain("OptimizerPath is 7");
    }

    [Fact]
    public void Device_statistics_match_host_gradients()
    {
        using var backend = BackendSetup.Digits(directory, "digits_cnn", BackendSetup.PlainSgd, o => o.StatisticsPath = GradientStatisticsPath.Graph);
        var device = new GradientSnapshot(backend.Parameters);
        var host = new GradientSnapshot(backend.Parameters);
        backend.ComputeGradients(DigitsData.Batch("digits_cnn", 0, 64));

        backend.CaptureGradients(device, includeHostValues: false);
        backend.CaptureGradients(host, includeHostValues: true);

        for (var i = 0; i < backend.Parameters.Count; i++)
        {
            device.TryGetDeviceStatistics(i, out var statistics, out var parameterSquares).Should().BeTrue();
            var gradient = host.GetGradient(i).Span.ToArray();
            var values = host.GetParameterValues(i).Span.ToArray();
            Relative(statistics.SumOfSquares, gradient.Sum(g => (double)g * g)).Should().BeLessThan(1e-5);
            Relative(parameterSquares, values.Sum(v => (double)v * v)).Should().BeLessThan(1e-5);
            statistics.MaxAbs.Should().Be(gradient.Max(g => Math.Abs((double)g)));
            statistics.NonFiniteCount.Should().Be(0);
        }
    }

    [Fact]
    public void Spinning_keeps_results_identical()
    {
        using var quiet = BackendSetup.Digits(directory, "digits_cnn", BackendSetup.PlainSgd, o =>
        {
            o.IntraOpThreads = 2;
            o.DeterministicCompute = true;
        });
        using var spinning = new OrtTrainingBackend(new OrtBackendOptions
        {
            ArtifactsDirectory = directory.File("artifacts"),
            IntraOpThreads = 2,
            DeterministicCompute = true,
            LearningRate = 0.1,
            AllowIntraOpSpinning = true,
        });
        for (var step = 0; step < 3; step++)
        {
            var batch = DigitsData.Batch("digits_cnn", step * 64, 64);
            spinning.ComputeGradients(batch).Should().Be(quiet.ComputeGradients(batch), $"the loss of step {step}");
            quiet.ApplyUpdate(null);
            spinning.ApplyUpdate(null);
        }

        foreach (var parameter in quiet.Parameters)
        {
            spinning.GetParameterValues(parameter.Name).Should().Equal(quiet.GetParameterValues(parameter.Name), parameter.Name);
        }
    }

    [Fact]
    public void Accumulation_matches_full_batch()
    {
        using var whole = BackendSetup.Digits(directory, "digits_mlp", BackendSetup.PlainSgd);
        using var split = new OrtTrainingBackend(new OrtBackendOptions
        {
            ArtifactsDirectory = directory.File("artifacts"),
            IntraOpThreads = 1,
            GradientAccumulationSteps = 4,
        });
        var batch = DigitsData.Batch("digits_mlp", 128, 64);
        var wholeSnapshot = new GradientSnapshot(whole.Parameters);
        var splitSnapshot = new GradientSnapshot(split.Parameters);

        var wholeLoss = whole.ComputeGradients(batch);
        var splitLoss = split.ComputeGradients(batch);
        whole.CaptureGradients(wholeSnapshot, includeHostValues: true);
        split.CaptureGradients(splitSnapshot, includeHostValues: true);

        Relative(splitLoss, wholeLoss).Should().BeLessThan(1e-6);
        for (var i = 0; i < whole.Parameters.Count; i++)
        {
            var expected = wholeSnapshot.GetGradient(i).Span.ToArray();
            var actual = splitSnapshot.GetGradient(i).Span.ToArray();
            var scale = expected.Max(g => Math.Abs(g));
            for (var k = 0; k < expected.Length; k++)
            {
                Math.Abs(actual[k] - expected[k]).Should().BeLessThan(1e-5f * scale, $"element {k} of {whole.Parameters[i].Name}");
            }
        }
    }

    [Fact]
    public void Nan_batch_is_skipped_and_reported()
    {
        var backend = BackendSetup.Digits(directory, "digits_mlp", BackendSetup.PlainSgd);
        var services = new ServiceCollection();
        services.AddGradDiag(builder => builder
            .Configure(o => o.SkipNonFiniteUpdates = true)
            .AddNonFiniteDetector()
            .AddBackend(_ => backend));
        using var provider = services.BuildServiceProvider();
        var monitor = provider.GetRequiredService<GradientMonitor>();
        var findings = new List<FindingEvent>();
        monitor.FindingChanged += (_, e) => findings.Add(e);
        monitor.TrainStep(DigitsData.Batch("digits_mlp", 0, 64));
        var weightsBefore = backend.GetParameterValues("fc1.weight");

        var bad = DigitsData.Batch("digits_mlp", 64, 64);
        bad.TryGet("input", out var input);
        ((float[])input.Data)[5] = float.NaN;
        var result = monitor.TrainStep(bad);

        result.UpdateSkipped.Should().BeTrue();
        findings.Should().Contain(e => e.Finding.Kind == FindingKind.NonFinite);
        backend.GetParameterValues("fc1.weight").Should().Equal(weightsBefore);
        backend.GetParameterValues("fc1.weight").Should().OnlyContain(v => float.IsFinite(v));
        backend.Step.Should().Be(2);
        backend.UpdatesApplied.Should().Be(1);

        var next = monitor.TrainStep(DigitsData.Batch("digits_mlp", 128, 64));
        next.UpdateSkipped.Should().BeFalse();
        backend.GetParameterValues("fc1.weight").Should().NotEqual(weightsBefore);
    }

    [Fact]
    public void Exported_model_reproduces_eval_loss()
    {
        using var backend = BackendSetup.Digits(directory, "digits_mlp", BackendSetup.PlainSgd);
        for (var step = 0; step < 5; step++)
        {
            backend.ComputeGradients(DigitsData.Batch("digits_mlp", step * 64, 64));
            backend.ApplyUpdate(null);
        }

        var batch = DigitsData.Batch("digits_mlp", 1000, 32);
        var evalLoss = backend.Evaluate(batch);
        var exported = directory.File("trained.onnx");
        backend.ExportInferenceModel(exported);

        using var session = new InferenceSession(exported);
        session.InputNames.Should().Equal("input");
        batch.TryGet("input", out var input);
        batch.TryGet("labels", out var labels);
        using var value = OrtValue.CreateTensorValueFromMemory((float[])input.Data, [32, 64]);
        using var outputs = session.Run(new RunOptions(), ["input"], [value], ["output"]);
        var logits = outputs[0].GetTensorDataAsSpan<float>().ToArray();
        var loss = 0.0;
        for (var row = 0; row < 32; row++)
        {
            var slice = logits.AsSpan(row * 10, 10).ToArray();
            var max = slice.Max();
            var logSumExp = max + Math.Log(slice.Sum(z => Math.Exp(z - max)));
            loss += logSumExp - slice[((long[])labels.Data)[row]];
        }

        Relative(loss / 32, evalLoss).Should().BeLessThan(1e-5);
    }

    [Fact]
    public void Update_without_gradients_throws()
    {
        using var backend = BackendSetup.Digits(directory, "digits_mlp", BackendSetup.PlainSgd);

        var apply = () => backend.ApplyUpdate(null);

        apply.Should().Throw<InvalidOperationException>().WithMessage("*ComputeGradients*");
    }

    [Fact]
    public void Dispose_twice_is_harmless()
    {
        var backend = BackendSetup.Digits(directory, "digits_mlp", BackendSetup.PlainSgd);
        backend.Dispose();

        backend.Dispose();

        var compute = () => backend.ComputeGradients(DigitsData.Batch("digits_mlp", 0, 8));
        compute.Should().Throw<ObjectDisposedException>();
    }

    private static double Relative(double actual, double expected) => Math.Abs(actual - expected) / Math.Abs(expected);
}
