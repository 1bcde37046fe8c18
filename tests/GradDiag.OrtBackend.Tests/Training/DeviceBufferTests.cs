using GradDiag.Detectors;
using GradDiag.OrtBackend.Artifacts;
using GradDiag.OrtBackend.Checkpoints;
using GradDiag.OrtBackend.Losses;
using GradDiag.OrtBackend.Optimizers;
using GradDiag.OrtBackend.Tests.Support;
using GradDiag.OrtBackend.Training;

namespace GradDiag.OrtBackend.Tests.Training;

/// <summary>
/// <see cref="BufferPlacement.Device"/> on the CPU provider, where the device tensors are reached only through ONNX
/// Runtime, as on CUDA. Both placements run the same optimizer and statistics models with one thread, so they
/// must agree bit for bit.
/// </summary>
public sealed class DeviceBufferTests : IDisposable
{
    private readonly TempDirectory directory = new();
    private readonly List<TempDirectory> backendFolders = [];
    private readonly FixtureReference cnnReference = FixtureReference.Load("cnn");

    public void Dispose()
    {
        directory.Dispose();
        backendFolders.ForEach(folder => folder.Dispose());
    }

    [Theory]
    [InlineData("digits_mlp", 1)]
    [InlineData("digits_mlp", 2)]
    [InlineData("digits_cnn", 3)]
    public void Device_buffers_train_like_host_buffers(string model, int microBatches)
    {
        using var host = Open(model, BufferPlacement.Host, o => o.GradientAccumulationSteps = microBatches);
        using var device = Open(model, BufferPlacement.Device, o => o.GradientAccumulationSteps = microBatches);
        device.UsesDeviceBuffers.Should().BeTrue();
        device.UsesHostOptimizer.Should().BeFalse();
        device.UsesHostStatistics.Should().BeFalse();
        host.UsesDeviceBuffers.Should().BeFalse();
        var hostSnapshot = new GradientSnapshot(host.Parameters);
        var deviceSnapshot = new GradientSnapshot(device.Parameters);

        for (var step = 0; step < 8; step++)
        {
            var batch = DigitsData.Batch(model, step * 48, 48);
            device.ComputeGradients(batch).Should().Be(host.ComputeGradients(batch), $"loss at step {step}");

            var withValues = step % 3 == 0;
            host.CaptureGradients(hostSnapshot, withValues);
            device.CaptureGradients(deviceSnapshot, withValues);
            for (var i = 0; i < host.Parameters.Count; i++)
            {
                var name = $"{host.Parameters[i].Name} at step {step}";
                if (withValues)
                {
                    deviceSnapshot.GetGradient(i).ToArray().Should().Equal(hostSnapshot.GetGradient(i).ToArray(), $"gradient of {name}");
                    deviceSnapshot.GetParameterValues(i).ToArray().Should().Equal(hostSnapshot.GetParameterValues(i).ToArray(), $"values of {name}");
                }
                else
                {
                    deviceSnapshot.TryGetDeviceStatistics(i, out var deviceStatistics, out var deviceSquares).Should().BeTrue();
                    hostSnapshot.TryGetDeviceStatistics(i, out var hostStatistics, out var hostSquares).Should().BeTrue();
                    deviceStatistics.Should().Be(hostStatistics, $"statistics of {name}");
                    deviceSquares.Should().Be(hostSquares, $"parameter sum of squares of {name}");
                }
            }

            if (step == 4)
            {
                host.SkipUpdate();
                device.SkipUpdate();
                continue;
            }

            host.ApplyUpdate(hostSnapshot);
            device.ApplyUpdate(deviceSnapshot);
            deviceSnapshot.GlobalNorm.Should().Be(hostSnapshot.GlobalNorm, $"global norm at step {step}");
            double.IsFinite(deviceSnapshot.GlobalNorm).Should().BeTrue();
            for (var i = 0; i < host.Parameters.Count; i++)
            {
                deviceSnapshot.GetUpdateSumOfSquares(i).Should().Be(hostSnapshot.GetUpdateSumOfSquares(i), $"update of {host.Parameters[i].Name} at step {step}");
            }
        }

        device.Step.Should().Be(8);
        device.UpdatesApplied.Should().Be(7);
        var first = host.Parameters[0].Name;
        device.GetParameterValues(first).Should().Equal(host.GetParameterValues(first));
        using var fresh = Open(model, BufferPlacement.Host);
        device.GetParameterValues(first).Should().NotEqual(fresh.GetParameterValues(first), "seven updates changed the weights");
        Tensors(device, "device.gdckpt").Should().BeEquivalentTo(Tensors(host, "host.gdckpt"), o => o.WithStrictOrdering());
    }

    [Fact]
    public void Checkpoints_move_between_placements()
    {
        var adam = new OptimizerOptions { Kind = OptimizerKind.Adam };
        var checkpoint = directory.File("after-three.gdckpt");
        using (var device = Open("digits_mlp", BufferPlacement.Device, optimizer: adam))
        {
            for (var step = 0; step < 3; step++)
            {
                device.ComputeGradients(DigitsData.Batch("digits_mlp", step * 64, 64));
                device.ApplyUpdate(null);
            }

            device.SaveCheckpoint(checkpoint);
        }

        using var host = Open("digits_mlp", BufferPlacement.Host, o => o.CheckpointPath = checkpoint, adam);
        using var resumed = Open("digits_mlp", BufferPlacement.Device, o => o.CheckpointPath = checkpoint, adam);
        resumed.UpdatesApplied.Should().Be(3);
        for (var step = 3; step < 6; step++)
        {
            var batch = DigitsData.Batch("digits_mlp", step * 64, 64);
            resumed.ComputeGradients(batch).Should().Be(host.ComputeGradients(batch), $"loss at step {step}, which depends on the restored weights");
            host.ApplyUpdate(null);
            resumed.ApplyUpdate(null);
        }

        Tensors(resumed, "resumed.gdckpt").Should().BeEquivalentTo(Tensors(host, "host.gdckpt"), o => o.WithStrictOrdering(), "the Adam moments were restored too");
    }

    [Fact]
    public void Ordinary_step_copies_only_results()
    {
        using var backend = Open("digits_mlp", BufferPlacement.Device);
        using var monitor = new GradientMonitor(new GradDiagOptions { StatisticsInterval = 1, HistogramInterval = 50 }, backend: backend);
        monitor.TrainStep(DigitsData.Batch("digits_mlp", 0, 64));
        var parameterCount = backend.Parameters.Count;

        for (var step = 1; step <= 3; step++)
        {
            var before = backend.BytesCopiedToHost;
            var copiesBefore = backend.DeviceTensorRuns;
            var result = monitor.TrainStep(DigitsData.Batch("digits_mlp", step * 64, 64));
            result.Observed.Should().BeTrue();
            (backend.BytesCopiedToHost - before).Should().Be(8 + (28 * parameterCount), "loss and global norm, a 6-column row and an update sum of squares per parameter");
            (backend.DeviceTensorRuns - copiesBefore).Should().Be(0, "the MLP has no running statistics and no micro-batches, so an ordinary step needs no copy");
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void BatchNormalization_model_trains_like_host_buffers(int microBatches)
    {
        using var host = OpenCnn(BufferPlacement.Host, microBatches);
        using var device = OpenCnn(BufferPlacement.Device, microBatches);
        var checkpoint = directory.File("cnn-step-3.gdckpt");

        for (var step = 0; step < 7; step++)
        {
            device.ComputeGradients(CnnBatch(step)).Should().Be(host.ComputeGradients(CnnBatch(step)), $"loss at step {step}");
            device.Evaluate(CnnBatch(step + 1)).Should().Be(host.Evaluate(CnnBatch(step + 1)), $"evaluation before the update of step {step}");
            if (step is 2 or 5)
            {
                host.SkipUpdate();
                device.SkipUpdate();
            }
            else
            {
                host.ApplyUpdate(null);
                device.ApplyUpdate(null);
            }

            device.Evaluate(CnnBatch(step + 2)).Should().Be(host.Evaluate(CnnBatch(step + 2)), $"evaluation after step {step}");
            if (step == 3)
            {
                host.SaveCheckpoint(checkpoint);
            }

            if (step == 4)
            {
                // Step 4 leaves the backends on the other buffer set than the one the checkpoint was saved from.
                host.LoadCheckpoint(checkpoint);
                device.LoadCheckpoint(checkpoint);
            }

            Tensors(device, "device.gdckpt").Should().BeEquivalentTo(Tensors(host, "host.gdckpt"), o => o.WithStrictOrdering(), $"parameters, Adam moments and running statistics after step {step}");
        }
    }

    [Fact]
    public void Later_option_changes_are_ignored()
    {
        OrtBackendOptions? options = null;
        using var backend = Open("digits_mlp", BufferPlacement.Device, o => options = o);
        var snapshot = new GradientSnapshot(backend.Parameters);

        options!.BufferPlacement = BufferPlacement.Host;
        options.StatisticsPath = GradientStatisticsPath.HostKernel;
        options.GradientAccumulationSteps = 2;
        backend.ComputeGradients(DigitsData.Batch("digits_mlp", 0, 48));
        backend.CaptureGradients(snapshot, includeHostValues: false);

        backend.UsesDeviceBuffers.Should().BeTrue();
        backend.UsesHostStatistics.Should().BeFalse();
        snapshot.TryGetDeviceStatistics(0, out var statistics, out _).Should().BeTrue();
        statistics.SumOfSquares.Should().BeGreaterThan(0, "the statistics come from the device gradients, not from the host copies");
    }

    [Theory]
    [InlineData(OptimizerPath.Host, GradientStatisticsPath.Auto, "OptimizerPath is Host")]
    [InlineData(OptimizerPath.Auto, GradientStatisticsPath.HostKernel, "StatisticsPath is HostKernel")]
    public void Device_buffers_reject_host_paths(OptimizerPath optimizer, GradientStatisticsPath statistics, string expected)
    {
        var options = new OrtBackendOptions
        {
            ArtifactsDirectory = directory.Path,
            BufferPlacement = BufferPlacement.Device,
            OptimizerPath = optimizer,
            StatisticsPath = statistics,
        };

        options.Validate().Should().ContainSingle().Which.Should().Contain(expected).And.Contain("BufferPlacement Host");

        options.OptimizerPath = OptimizerPath.Host;
        options.StatisticsPath = GradientStatisticsPath.HostKernel;
        options.BufferPlacement = BufferPlacement.Device;
        options.Validate().Should().HaveCount(2, "both host paths are reported at once");

        options.BufferPlacement = BufferPlacement.Host;
        options.Validate().Should().BeEmpty();
    }

    private OrtTrainingBackend Open(string model, BufferPlacement placement, Action<OrtBackendOptions>? configure = null, OptimizerOptions? optimizer = null)
    {
        var folder = new TempDirectory();
        backendFolders.Add(folder);
        return BackendSetup.Digits(folder, model, optimizer ?? new OptimizerOptions { Kind = OptimizerKind.Adam }, o =>
        {
            o.BufferPlacement = placement;
            o.OptimizerPath = OptimizerPath.Graph;
            o.StatisticsPath = GradientStatisticsPath.Graph;
            configure?.Invoke(o);
        });
    }

    /// <summary>Opens the cnn fixture (Conv, BatchNormalization, pooling) with Adam on the statistics and optimizer models.</summary>
    private OrtTrainingBackend OpenCnn(BufferPlacement placement, int microBatches)
    {
        var folder = new TempDirectory();
        backendFolders.Add(folder);
        var source = folder.File("cnn.onnx");
        File.Copy(FixturePaths.Onnx("cnn.onnx"), source);
        return OrtTrainingBackend.Create(
            source,
            "output",
            new LossOptions { Kind = LossKind.CrossEntropy },
            new TrainingArtifactOptions { Optimizer = new OptimizerOptions { Kind = OptimizerKind.Adam } },
            new OrtBackendOptions
            {
                ArtifactsDirectory = folder.File("artifacts"),
                IntraOpThreads = 1,
                LearningRate = 0.01,
                BufferPlacement = placement,
                OptimizerPath = OptimizerPath.Graph,
                StatisticsPath = GradientStatisticsPath.Graph,
                GradientAccumulationSteps = microBatches,
            });
    }

    /// <summary>Returns the cnn fixture's batch of four images, scaled per element so that each step differs.</summary>
    private TrainingBatch CnnBatch(int step)
    {
        var input = cnnReference.Input.Data.Select((v, i) => (float)(v * (1 + (0.1 * ((i + step) % 5))))).ToArray();
        var labels = cnnReference.Labels.Data.Select(v => (long)v).ToArray();
        return new TrainingBatch().Add("input", input, cnnReference.Input.Shape).Add("labels", labels, cnnReference.Labels.Shape);
    }

    private List<(string Name, byte[] Data)> Tensors(OrtTrainingBackend backend, string file)
    {
        var path = directory.File(file);
        backend.SaveCheckpoint(path);
        return CheckpointFile.Load(path).Tensors.Select(t => (t.Name, t.Data.ToArray())).ToList();
    }
}
