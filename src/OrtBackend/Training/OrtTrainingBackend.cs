using GradDiag.OrtBackend.Artifacts;
using GradDiag.OrtBackend.Checkpoints;
using GradDiag.OrtBackend.Graphs;
using GradDiag.OrtBackend.Losses;
using GradDiag.OrtBackend.Models;
using GradDiag.OrtBackend.Optimizers;
using GradDiag.OrtBackend.Schedules;
using GradDiag.OrtBackend.Statistics;
using Microsoft.ML.OnnxRuntime;

namespace GradDiag.OrtBackend.Training;

/// <summary>
/// Trains an ONNX model on stock ONNX Runtime from a training-artifacts folder. The training model gives the
/// loss and gradients, and the statistics model the per-parameter gradient statistics. The update runs on the
/// host (<see cref="HostOptimizer"/>) or in the optimizer model, which also gives the global norm before
/// clipping and the update sums of squares.
/// </summary>
/// <remarks>
/// <para>
/// Parameters, gradients and optimizer state live in OrtValues that are allocated once and bound with
/// <see cref="OrtIoBinding"/>: over pinned host arrays, or on the session's device (see
/// <see cref="OrtBackendOptions.BufferPlacement"/>), where <see cref="DeviceTensors"/> copies them to and from
/// host arrays when the host needs them. ONNX Runtime does not write an output into an OrtValue that is also
/// bound as an input, so parameters and optimizer state have two buffer sets that swap roles after each update.
/// On the statistics-model path an ordinary step reads back only the loss, the [P, 6] statistics table, the
/// global norm and the P update sums of squares. On the host path the host code reads the bound arrays in place.
/// The host update measures what the monitor needs in its own pass, and the optimizer model, when it runs with
/// host statistics, is loaded without the update sums of squares and, unless clipping needs it, the global norm.
/// <see cref="BytesCopiedToHost"/> counts what is read from ONNX Runtime outputs.
/// </para>
/// <para>
/// Gradients are captured after the backward pass and after accumulation over micro-batches, before clipping
/// and the optimizer step. Calls are synchronous and not thread-safe.
/// </para>
/// </remarks>
public sealed partial class OrtTrainingBackend : ITrainingBackend
{
    private const int ParitySets = 2;

    // A multiple of every vector width, so that only a parameter's last range has elements after its last whole vector.
    private const int UpdateChunkLength = 1 << 17;
    private const long ParallelUpdateElements = 1 << 16;

    private readonly int _microBatches;
    private readonly TrainingArtifacts _artifacts;
    private readonly TrainingCheckpoint _initialCheckpoint;
    private readonly ILearningRateSchedule _schedule;
    private readonly InferenceSession _trainingSession;
    private readonly InferenceSession _evalSession;
    private readonly InferenceSession? _optimizerSession;
    private readonly HostOptimizer? _hostOptimizer;
    private readonly DeviceTensors? _device;
    private readonly InferenceSession _statisticsSession;
    private readonly RunOptions _runOptions = new();
    private readonly BatchFeeder _trainingFeeder;
    private readonly BatchFeeder _evalFeeder;
    private readonly string[] _names;
    private readonly long[][] _shapes;
    private readonly List<string> _stateSuffixes;
    private readonly bool _rebindEveryRun;
    private readonly List<OrtValue> _ownedValues = [];

    // [parity][parameter] and [parity][parameter * suffixes + suffix].
    private readonly float[][][] _parameterArrays = new float[ParitySets][][];
    private readonly OrtValue[][] _parameterValues = new OrtValue[ParitySets][];
    private readonly float[][][] _stateArrays = new float[ParitySets][][];
    private readonly OrtValue[][] _stateValues = new OrtValue[ParitySets][];
    private readonly float[][] _gradientArrays;
    private readonly OrtValue[] _gradientValues;
    private readonly float[][]? _microGradientArrays;
    private readonly OrtValue[]? _microGradientValues;
    private readonly float[] _loss = new float[1];
    private readonly float[] _evalLoss = new float[1];
    private readonly float[] _statisticsTable;
    private readonly float[] _learningRateInput = new float[1];
    private readonly long[] _stepInput = new long[1];
    private readonly float[] _globalNorm = new float[1];
    private readonly float[] _updateSumOfSquares;

    // The key of the Dropout masks of each training run (see KeyedDropout), derived from the seed, the step and the micro-batch.
    private readonly bool _keyedDropout;
    private readonly long _dropoutSeed;
    private readonly long[] _dropoutKey = new long[1];

    private readonly OrtValue _lossValue;
    private readonly OrtValue _evalLossValue;
    private readonly OrtValue _statisticsValue;
    private readonly OrtValue _learningRateValue;
    private readonly OrtValue _stepValue;
    private readonly OrtValue _dropoutKeyValue;
    private readonly OrtValue _globalNormValue;
    private readonly OrtValue _updateSumOfSquaresValue;
    private readonly OrtIoBinding[] _trainingBindings = new OrtIoBinding[ParitySets];
    private readonly OrtIoBinding[] _evalBindings = new OrtIoBinding[ParitySets];
    private readonly OrtIoBinding[] _statisticsBindings = new OrtIoBinding[ParitySets];
    private readonly OrtIoBinding[] _optimizerBindings = new OrtIoBinding[ParitySets];

    // BatchNormalization running statistics: [parity][statistic], swapped by every training run, plus the
    // values before the current step so that SkipUpdate can restore them.
    private readonly List<RunningStatistic> _running;
    private readonly float[][][] _runningArrays = new float[ParitySets][][];
    private readonly OrtValue[][] _runningValues = new OrtValue[ParitySets][];
    private readonly float[][] _runningBackup;
    private readonly OrtValue[] _runningBackupValues = [];

    // With device buffers and accumulation, micro-batch sums alternate between the gradient tensors and these, so
    // that the last one lands in the gradient tensors without a copy.
    private readonly OrtValue[] _alternateGradientValues = [];
    private int _runningCurrent;

    // On the host-statistics path the optimizer model is loaded without the outputs that only the monitor reads:
    // the update sums of squares always, and the global norm unless clipping computes it anyway.
    private readonly bool _optimizerGivesGlobalNorm;
    private readonly bool _optimizerGivesUpdateSquares;
    private double _capturedGlobalNorm = double.NaN;
    private bool _capturedNormValid;

    // Set by a capture that handed the arrays to the snapshot, so that ApplyUpdate(null) still measures the update.
    private bool _capturedHostValues;

    // On the host optimizer path a capture also writes the update into the other buffer set and measures it, so that
    // the step reads every array once. ApplyUpdate then only swaps, unless the learning rate or step changed since.
    private readonly double[] _pendingUpdateSquares;
    private readonly double[] _pendingParameterSquares;
    private bool _pendingUpdate;
    private float _pendingLearningRate;
    private long _pendingStep;

    // The host update covers each parameter in ranges of at most UpdateChunkLength elements, on several threads when
    // there are several ranges. The ranges' measurements are combined in range order, so the result does not depend
    // on the threads.
    private readonly (int Parameter, int Start, int Length)[] _updateChunks = [];
    private readonly ParameterUpdateStatistics[] _chunkMeasurements = [];
    private readonly ParameterUpdateStatistics[] _measurements;
    private readonly ParallelOptions _updateParallelism;
    private readonly bool _updateInParallel;

    // The sums of squares of the current parameters, computed by the last observed update's pass over the new
    // values, so that the next capture need not read the parameters again. Any other change of them clears it.
    private readonly double[] _carriedParameterSquares;
    private bool _carriedParameterSquaresValid;

    private int _current;
    private bool _hasGradients;
    private double _lastLoss = double.NaN;
    private long _updatesApplied;
    private bool _disposed;

    /// <summary>Opens the artifacts folder of <paramref name="options"/> and creates the sessions and buffers.</summary>
    /// <exception cref="ArgumentException">An option is invalid; the message names it.</exception>
    /// <exception cref="ArtifactException">The manifest is missing or invalid, or the source model changed since the build.</exception>
    /// <exception cref="CheckpointException">The checkpoint is torn, foreign, or belongs to another model.</exception>
    /// <exception cref="ExecutionProviderException">CUDA was requested and cannot be used; the message names the cause.</exception>
    public OrtTrainingBackend(OrtBackendOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = options.Validate();
        if (failures.Count > 0)
        {
            throw new ArgumentException("Invalid OrtBackendOptions: " + string.Join(" ", failures), nameof(options));
        }

        // The paths are decided once, because the options object stays with the caller, who may change it.
        _microBatches = options.GradientAccumulationSteps;
        UsesDeviceBuffers = options.ResolvesToDeviceBuffers;
        var hostByDefault = options.ExecutionProvider == OrtExecutionProvider.Cpu && !UsesDeviceBuffers;
        UsesHostStatistics = options.StatisticsPath == GradientStatisticsPath.HostKernel || (options.StatisticsPath == GradientStatisticsPath.Auto && hostByDefault);
        UsesHostOptimizer = options.OptimizerPath == OptimizerPath.Host || (options.OptimizerPath == OptimizerPath.Auto && hostByDefault);
        _schedule = options.LearningRateSchedule ?? LearningRateSchedules.Constant(options.LearningRate);
        _artifacts = TrainingArtifacts.Open(options.ArtifactsDirectory, options.SourceModelPath);
        _initialCheckpoint = _artifacts.LoadCheckpoint();
        var manifest = _artifacts.Manifest;
        foreach (var parameter in manifest.TrainableParameters)
        {
            if (parameter.ElementType != "FLOAT")
            {
                throw new ArtifactException($"Parameter '{parameter.Name}' in '{options.ArtifactsDirectory}' is {parameter.ElementType}; the backend trains FLOAT parameters only.");
            }
        }

        _names = manifest.TrainableParameters.Select(p => p.Name).ToArray();
        _shapes = manifest.TrainableParameters.Select(p => p.Shape).ToArray();
        _stateSuffixes = manifest.Optimizer.StateSuffixes;
        Parameters = new ParameterSet(_names.Select((name, i) => new ParameterDescriptor(name, [.. _shapes[i]], i)));
        Device = options.ExecutionProvider == OrtExecutionProvider.Cuda ? $"cuda:{options.CudaDeviceId}" : "cpu";

        // ONNX Runtime copies a host input of a CUDA session to the device when it is bound. So with host buffers on CUDA
        // every input is bound again before each run, to send the current values.
        _rebindEveryRun = options.ExecutionProvider == OrtExecutionProvider.Cuda && !UsesDeviceBuffers;
        try
        {
            var classIndexInputs = ClassIndexInputs(manifest);
            var (trainingBytes, running, ignoredLabels, dropoutNodes) = TrainingModel(classIndexInputs);
            _keyedDropout = dropoutNodes > 0;
            _dropoutSeed = options.DropoutSeed ?? Random.Shared.NextInt64();
            _running = running;
            _trainingSession = SessionFactory.Create(trainingBytes, manifest.Models.Training.File, options);
            _evalSession = SessionFactory.Create(EvalModel(running), manifest.Models.Eval.File, options);
            if (UsesHostOptimizer)
            {
                _hostOptimizer = new HostOptimizer(manifest.Optimizer.ToOptions(options.ArtifactsDirectory));
            }
            else
            {
                _optimizerGivesUpdateSquares = !UsesHostStatistics;
                _optimizerGivesGlobalNorm = !UsesHostStatistics || manifest.Optimizer.MaxGradientNorm is not null;
                _optimizerSession = SessionFactory.Create(OptimizerModel(), manifest.Models.Optimizer.File, options);
            }

            _statisticsSession = SessionFactory.Create(File.ReadAllBytes(_artifacts.StatisticsModelPath), manifest.Models.Statistics.File, options);
            if (UsesDeviceBuffers)
            {
                _device = new DeviceTensors(options, _trainingSession);
            }

            var parameterNames = _names.ToHashSet(StringComparer.Ordinal);
            var boundNames = parameterNames.Concat(running.Select(r => r.Name)).ToHashSet(StringComparer.Ordinal);
            boundNames.Add(KeyedDropout.KeyInput);
            var classCount = ClassCount(_trainingSession, manifest, parameterNames);
            _trainingFeeder = new BatchFeeder(_trainingSession, manifest.Models.Training.File, boundNames, classIndexInputs, classCount, ignoredLabels);
            _evalFeeder = new BatchFeeder(_evalSession, manifest.Models.Eval.File, boundNames, classIndexInputs, classCount, ignoredLabels);

            // With device buffers the arrays are one set of host copies, which the host reads and writes through
            // DeviceTensors; both parities share it.
            var stateShapes = Enumerable.Range(0, _names.Length * _stateSuffixes.Count).Select(k => _shapes[k / _stateSuffixes.Count]).ToArray();
            var runningShapes = running.Select(r => r.Dims).ToArray();
            _gradientArrays = NewArrays(_shapes);
            _gradientValues = Bind(_gradientArrays, _shapes);
            if (options.GradientAccumulationSteps > 1)
            {
                _microGradientArrays = _device is null ? NewArrays(_shapes) : [];
                _microGradientValues = Bind(_microGradientArrays, _shapes);
                _alternateGradientValues = _device is null ? [] : Bind([], _shapes);
            }

            for (var parity = 0; parity < ParitySets; parity++)
            {
                _parameterArrays[parity] = _device is null || parity == 0 ? NewArrays(_shapes) : _parameterArrays[0];
                _parameterValues[parity] = Bind(_parameterArrays[parity], _shapes);
                _stateArrays[parity] = _device is null || parity == 0 ? NewArrays(stateShapes) : _stateArrays[0];
                _stateValues[parity] = Bind(_stateArrays[parity], stateShapes);
                _runningArrays[parity] = _device is null || parity == 0 ? NewArrays(runningShapes) : _runningArrays[0];
                _runningValues[parity] = Bind(_runningArrays[parity], runningShapes);
            }

            _runningBackup = _device is null ? NewArrays(runningShapes) : [];
            _runningBackupValues = _device is null ? [] : Bind([], runningShapes);

            _statisticsTable = new float[_names.Length * GradientStatisticsLayout.ColumnCount];
            _updateSumOfSquares = new float[_names.Length];
            _carriedParameterSquares = new double[_names.Length];
            _pendingUpdateSquares = new double[_names.Length];
            _pendingParameterSquares = new double[_names.Length];
            _measurements = new ParameterUpdateStatistics[_names.Length];
            _updateParallelism = new ParallelOptions { MaxDegreeOfParallelism = options.IntraOpThreads > 0 ? options.IntraOpThreads : Environment.ProcessorCount };
            if (_hostOptimizer is not null)
            {
                _updateChunks = UpdateChunks(_gradientArrays);
                _chunkMeasurements = new ParameterUpdateStatistics[_updateChunks.Length];

                // Small models update on the calling thread. Below ParallelUpdateElements a pass takes a few microseconds,
                // which is about what handing ranges to the thread pool costs (an estimate, not measured).
                _updateInParallel = _updateChunks.Length > 1 && _updateParallelism.MaxDegreeOfParallelism > 1 &&
                    _gradientArrays.Sum(g => (long)g.Length) >= ParallelUpdateElements;
            }

            _lossValue = Own(_loss, []);
            _evalLossValue = Own(_evalLoss, []);
            _statisticsValue = Own(_statisticsTable, [_names.Length, GradientStatisticsLayout.ColumnCount]);
            _learningRateValue = Own(_learningRateInput, []);
            _stepValue = OrtValue.CreateTensorValueFromMemory(_stepInput, []);
            _ownedValues.Add(_stepValue);
            _dropoutKeyValue = OrtValue.CreateTensorValueFromMemory(_dropoutKey, []);
            _ownedValues.Add(_dropoutKeyValue);
            _globalNormValue = Own(_globalNorm, []);
            _updateSumOfSquaresValue = Own(_updateSumOfSquares, [_names.Length]);

            for (var parity = 0; parity < ParitySets; parity++)
            {
                _trainingBindings[parity] = _trainingSession.CreateIoBinding();
                _evalBindings[parity] = _evalSession.CreateIoBinding();
                _statisticsBindings[parity] = _statisticsSession.CreateIoBinding();
                if (_optimizerSession is not null)
                {
                    _optimizerBindings[parity] = _optimizerSession.CreateIoBinding();
                }

                BindParity(parity);
            }

            Restore(options.CheckpointPath is null ? _initialCheckpoint : _artifacts.LoadCheckpoint(options.CheckpointPath), options.CheckpointPath ?? _artifacts.CheckpointPath);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <inheritdoc/>
    public ParameterSet Parameters { get; }

    /// <inheritdoc/>
    public string Device { get; }

    /// <inheritdoc/>
    public long Step { get; private set; }

    /// <inheritdoc/>
    public double LearningRate => _schedule.GetLearningRate(Step);

    /// <summary>Gets the number of optimizer updates applied, not counting skipped steps; Adam's bias correction uses it.</summary>
    public long UpdatesApplied => _updatesApplied;

    /// <summary>
    /// Gets the number of bytes the backend has read from ONNX Runtime outputs into host code since it was
    /// created: losses, statistics tables, global norms, update sums of squares, and on host-value captures
    /// every gradient and parameter. Checkpoint saves and inference-model exports are not counted.
    /// </summary>
    public long BytesCopiedToHost { get; private set; }

    /// <summary>
    /// Gets a value indicating whether ordinary steps compute statistics with the host kernel instead of the
    /// statistics model (see <see cref="OrtBackendOptions.StatisticsPath"/>).
    /// </summary>
    public bool UsesHostStatistics { get; }

    /// <summary>
    /// Gets a value indicating whether updates run on the host instead of in the optimizer model (see
    /// <see cref="OrtBackendOptions.OptimizerPath"/>).
    /// </summary>
    public bool UsesHostOptimizer { get; }

    /// <summary>
    /// Gets a value indicating whether parameters, gradients, optimizer state and running statistics are tensors on
    /// the session's device rather than host arrays (see <see cref="OrtBackendOptions.BufferPlacement"/>).
    /// </summary>
    public bool UsesDeviceBuffers { get; }

    /// <summary>
    /// Gets the seed of the Dropout masks: <see cref="OrtBackendOptions.DropoutSeed"/>, or the seed drawn at creation
    /// when that is null. A backend that resumes from a checkpoint of this one repeats its masks when it is given the
    /// same seed, because checkpoints do not store it.
    /// </summary>
    public long DropoutSeed => _dropoutSeed;

    /// <summary>Gets the number of copy, scale and add runs on device tensors since creation; 0 with host buffers.</summary>
    internal long DeviceTensorRuns => _device?.Runs ?? 0;

    /// <summary>
    /// Gets the global gradient norm before clipping of the last applied update, or NaN before the first. On the
    /// host path without clipping it comes from the captured statistics, so it is also NaN after an update whose
    /// gradients were not captured.
    /// </summary>
    public double LastGlobalNorm { get; private set; } = double.NaN;

    /// <summary>Builds training artifacts from a forward model and a loss, then opens them; see <see cref="TrainingArtifactBuilder.Build"/>.</summary>
    /// <param name="modelPath">The forward ONNX model.</param>
    /// <param name="predictionName">The model output the loss compares with the target (logits for cross-entropy).</param>
    /// <param name="loss">The loss to append.</param>
    /// <param name="artifactOptions">The optimizer and frozen-parameter settings, or null for the defaults.</param>
    /// <param name="options">
    /// The backend settings; the artifacts are written to <see cref="OrtBackendOptions.ArtifactsDirectory"/>, and a null
    /// <see cref="OrtBackendOptions.SourceModelPath"/> is set to <paramref name="modelPath"/>.
    /// </param>
    /// <returns>The backend over the new artifacts.</returns>
    /// <exception cref="ArgumentException">An option is invalid. The message names it, and nothing has been written.</exception>
    public static OrtTrainingBackend Create(string modelPath, string predictionName, LossOptions loss, TrainingArtifactOptions? artifactOptions, OrtBackendOptions options)
    {
        ArgumentException.ThrowIfNullOrEmpty(modelPath);
        ArgumentNullException.ThrowIfNull(loss);
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.ArtifactsDirectory))
        {
            throw new ArgumentException("OrtBackendOptions.ArtifactsDirectory is required: the artifacts are written there.", nameof(options));
        }

        // Reject invalid settings before anything is written, so that they leave no artifacts folder behind.
        var failures = options.Validate(artifactsMustExist: false);
        if (failures.Count > 0)
        {
            throw new ArgumentException("Invalid OrtBackendOptions: " + string.Join(" ", failures), nameof(options));
        }

        var forward = OnnxModel.Load(modelPath);
        var withLoss = LossBuilder.Append(forward, predictionName, loss);
        var kind = loss.Kind switch
        {
            LossKind.CrossEntropy => "cross_entropy",
            LossKind.NegativeLogLikelihood => "nll",
            LossKind.MeanSquaredError => "mse",
            LossKind.BinaryCrossEntropyWithLogits => "bce_with_logits",
            _ => "scalar",
        };
        var targets = withLoss.InputNames.Except(forward.InputNames).ToArray();
        TrainingArtifactBuilder.Build(modelPath, new LossGraph(withLoss, loss.LossName, kind, targets), options.ArtifactsDirectory, artifactOptions);
        options.SourceModelPath ??= modelPath;
        return new OrtTrainingBackend(options);
    }

    /// <inheritdoc/>
    public double ComputeGradients(TrainingBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ObjectDisposedException.ThrowIf(_disposed, this);
        var parts = _microBatches;
        _trainingFeeder.Validate(batch, parts);
        var binding = _trainingBindings[_current];
        if (_rebindEveryRun)
        {
            BindTrainingParameters(_current);
        }

        BackUpRunningStatistics();
        double lossSum = 0;
        for (var part = 0; part < parts; part++)
        {
            _trainingFeeder.Bind(binding, batch, part, parts);
            BindRunningStatistics(binding);
            if (_keyedDropout)
            {
                // Bound before each run, because a CUDA session copies a host input when it is bound.
                _dropoutKey[0] = KeyedDropout.Key(_dropoutSeed, (Step * parts) + part);
                BindHostInput(binding, KeyedDropout.KeyInput, _dropoutKeyValue);
            }

            _trainingSession.RunWithBinding(_runOptions, binding);
            _runningCurrent = _running.Count > 0 ? 1 - _runningCurrent : _runningCurrent;
            lossSum += _loss[0];
            if (parts > 1)
            {
                Accumulate(part, parts);
            }
        }

        BytesCopiedToHost += sizeof(float) * parts;
        _capturedGlobalNorm = double.NaN;
        _capturedNormValid = false;
        _capturedHostValues = false;
        _pendingUpdate = false;
        _lastLoss = lossSum / parts;
        _hasGradients = true;
        return _lastLoss;
    }

    /// <inheritdoc/>
    public void CaptureGradients(GradientSnapshot snapshot, bool includeHostValues)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ObjectDisposedException.ThrowIf(_disposed, this);
        RequireGradients(nameof(CaptureGradients));
        if (!ReferenceEquals(snapshot.Parameters, Parameters))
        {
            throw new ArgumentException("The snapshot was created for another parameter set; create it with new GradientSnapshot(backend.Parameters).", nameof(snapshot));
        }

        snapshot.Reset(Step);
        snapshot.Loss = _lastLoss;
        snapshot.LearningRate = LearningRate;
        if (includeHostValues)
        {
            // The arrays stay unchanged until the next ComputeGradients or ApplyUpdate, which is as long as the snapshot is read.
            _capturedHostValues = true;
            for (var i = 0; i < _names.Length; i++)
            {
                snapshot.SetGradient(i, HostGradient(i));
                snapshot.SetParameterValues(i, HostParameter(i));
                BytesCopiedToHost += 2L * sizeof(float) * _gradientArrays[i].Length;
            }

            // The host optimizer measures the gradients in its update pass unless clipping needs the norm first.
            if (!_optimizerGivesGlobalNorm && (_hostOptimizer is null || _hostOptimizer.Options.MaxGradientNorm is not null))
            {
                // The monitor computes these statistics again from the snapshot, but only on histogram steps.
                _capturedGlobalNorm = GradientNorm();
                _capturedNormValid = true;
            }

            return;
        }

        if (UsesHostStatistics && _hostOptimizer is { Options.MaxGradientNorm: null })
        {
            CaptureWithUpdate(snapshot);
            return;
        }

        if (UsesHostStatistics)
        {
            // On the CPU provider the bound gradient and parameter buffers are the managed arrays themselves, so one
            // vectorised pass over each is cheaper than the statistics model's separate reductions, and copies nothing.
            // With clipping or the optimizer model the statistics need their own passes, bound by memory bandwidth. The
            // host update without clipping measures in its update pass instead (CaptureWithUpdate).
            float[][] parameters = _parameterArrays[_current];
            var squares = 0.0;
            for (var i = 0; i < _names.Length; i++)
            {
                TensorStatistics gradient = TensorStatisticsKernel.Compute(_gradientArrays[i]);
                double parameterSquares = _carriedParameterSquaresValid
                    ? _carriedParameterSquares[i]
                    : TensorStatisticsKernel.Compute(parameters[i]).SumOfSquares;
                snapshot.SetDeviceStatistics(i, gradient, parameterSquares);
                squares = AddSquares(squares, gradient);
            }

            _capturedGlobalNorm = NormFromSquares(squares);
            _capturedNormValid = true;
            return;
        }

        var binding = _statisticsBindings[_current];
        if (_rebindEveryRun)
        {
            BindStatistics(_current);
        }

        _statisticsSession.RunWithBinding(_runOptions, binding);
        BytesCopiedToHost += sizeof(float) * _statisticsTable.Length;
        var tableSquares = 0.0;
        for (var i = 0; i < _names.Length; i++)
        {
            var statistics = GradientStatisticsLayout.ReadRow(_statisticsTable, i, _gradientArrays[i].Length);
            snapshot.SetDeviceStatistics(i, statistics, GradientStatisticsLayout.ReadParameterSumOfSquares(_statisticsTable, i));
            tableSquares = AddSquares(tableSquares, statistics);
        }

        if (_hostOptimizer is not null)
        {
            _capturedGlobalNorm = NormFromSquares(tableSquares);
            _capturedNormValid = true;
        }
    }

    /// <inheritdoc/>
    public void ApplyUpdate(GradientSnapshot? snapshot)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        RequireGradients(nameof(ApplyUpdate));
        if (_hostOptimizer is not null)
        {
            ApplyHostUpdate(snapshot);
            return;
        }

        _learningRateInput[0] = (float)LearningRate;
        _stepInput[0] = _updatesApplied + 1;
        if (_rebindEveryRun)
        {
            BindOptimizer(_current);
        }
        else
        {
            // A session on CUDA copies a host input to the device when it is bound, so the new values must be bound again.
            BindOptimizerScalars(_optimizerBindings[_current]);
        }

        _optimizerSession!.RunWithBinding(_runOptions, _optimizerBindings[_current]);
        _carriedParameterSquaresValid = false;
        var before = _current;
        _current = 1 - _current;
        _updatesApplied++;
        Step++;
        _hasGradients = false;
        if (_optimizerGivesGlobalNorm)
        {
            LastGlobalNorm = _globalNorm[0];
            BytesCopiedToHost += sizeof(float);
        }
        else
        {
            LastGlobalNorm = _capturedGlobalNorm;
        }

        if (snapshot is null)
        {
            return;
        }

        snapshot.GlobalNorm = LastGlobalNorm;
        if (_optimizerGivesUpdateSquares)
        {
            for (var i = 0; i < _names.Length; i++)
            {
                snapshot.SetUpdateSumOfSquares(i, _updateSumOfSquares[i]);
            }

            BytesCopiedToHost += sizeof(float) * _updateSumOfSquares.Length;
            return;
        }

        // The host path reads the new and old values in place: one pass over both is cheaper than the model's
        // subtraction and reduction, and ordinary steps that the monitor does not observe skip it. The same pass
        // gives the new parameters' sums of squares, which the next capture uses.
        for (var i = 0; i < _names.Length; i++)
        {
            var updateSquares = TensorStatisticsKernel.SumOfSquaredDifferences(_parameterArrays[_current][i], _parameterArrays[before][i], out _carriedParameterSquares[i]);
            snapshot.SetUpdateSumOfSquares(i, updateSquares);
        }

        _carriedParameterSquaresValid = true;
    }

    /// <summary>
    /// Applies the update on the host. After a capture that already wrote and measured it for this learning rate and
    /// step, only swaps the buffer sets. Otherwise runs the pass, and measures when a snapshot is given.
    /// </summary>
    private void ApplyHostUpdate(GradientSnapshot? snapshot)
    {
        var learningRate = (float)LearningRate;
        var step = _updatesApplied + 1;
        var observed = true;
        if (!_pendingUpdate || learningRate != _pendingLearningRate || step != _pendingStep)
        {
            if (_hostOptimizer!.Options.MaxGradientNorm is not null && !_capturedNormValid)
            {
                _capturedGlobalNorm = GradientNorm();
                _capturedNormValid = true;
            }

            var scale = _hostOptimizer.ClippingFactor(_capturedGlobalNorm);

            // After a capture of the arrays the host measures the update anyway, so LastGlobalNorm is known, as it is
            // when the optimizer model runs.
            observed = snapshot is not null || _capturedHostValues;
            RunHostUpdate(learningRate, step, scale, observed, measureOldValues: false);
            if (observed)
            {
                var squares = 0.0;
                for (var i = 0; i < _names.Length; i++)
                {
                    _pendingUpdateSquares[i] = _measurements[i].UpdateSquares;
                    _pendingParameterSquares[i] = _measurements[i].NewValueSquares;
                    squares = AddSquares(squares, _measurements[i].Gradient);
                }

                if (!_capturedNormValid)
                {
                    _capturedGlobalNorm = NormFromSquares(squares);
                    _capturedNormValid = true;
                }
            }
        }

        _pendingUpdate = false;
        _current = 1 - _current;
        _updatesApplied++;
        Step++;
        _hasGradients = false;
        LastGlobalNorm = _capturedNormValid ? _capturedGlobalNorm : double.NaN;
        _carriedParameterSquaresValid = observed;
        if (observed)
        {
            _pendingParameterSquares.CopyTo(_carriedParameterSquares, 0);
        }

        if (snapshot is null)
        {
            return;
        }

        snapshot.GlobalNorm = LastGlobalNorm;
        for (var i = 0; i < _names.Length; i++)
        {
            snapshot.SetUpdateSumOfSquares(i, _pendingUpdateSquares[i]);
        }
    }

    /// <summary>
    /// Captures the host statistics of an ordinary step by running the update into the other buffer set, which reads
    /// each gradient, parameter and state array once and measures all of them on the way.
    /// </summary>
    private void CaptureWithUpdate(GradientSnapshot snapshot)
    {
        var learningRate = (float)LearningRate;
        var step = _updatesApplied + 1;
        var measureOld = !_carriedParameterSquaresValid;
        RunHostUpdate(learningRate, step, 1f, observe: true, measureOld);
        var squares = 0.0;
        for (var i = 0; i < _names.Length; i++)
        {
            var measured = _measurements[i];
            snapshot.SetDeviceStatistics(i, measured.Gradient, measureOld ? measured.OldValueSquares : _carriedParameterSquares[i]);
            _pendingUpdateSquares[i] = measured.UpdateSquares;
            _pendingParameterSquares[i] = measured.NewValueSquares;
            squares = AddSquares(squares, measured.Gradient);
        }

        _capturedGlobalNorm = NormFromSquares(squares);
        _capturedNormValid = true;
        _pendingUpdate = true;
        _pendingLearningRate = learningRate;
        _pendingStep = step;
    }

    /// <summary>
    /// Updates every parameter from the current buffer set into the other one and, when observing, leaves each
    /// parameter's measurements in <see cref="_measurements"/>.
    /// </summary>
    private void RunHostUpdate(float learningRate, long step, float gradientScale, bool observe, bool measureOldValues)
    {
        if (_updateInParallel)
        {
            Parallel.For(0, _updateChunks.Length, _updateParallelism, k => UpdateChunk(k, learningRate, step, gradientScale, observe, measureOldValues));
        }
        else
        {
            for (var k = 0; k < _updateChunks.Length; k++)
            {
                UpdateChunk(k, learningRate, step, gradientScale, observe, measureOldValues);
            }
        }

        if (!observe)
        {
            return;
        }

        for (var k = 0; k < _updateChunks.Length; k++)
        {
            var parameter = _updateChunks[k].Parameter;
            _measurements[parameter] = _updateChunks[k].Start == 0
                ? _chunkMeasurements[k]
                : ParameterUpdateStatistics.Combine(_measurements[parameter], _chunkMeasurements[k]);
        }
    }

    private void UpdateChunk(int chunk, float learningRate, long step, float gradientScale, bool observe, bool measureOldValues)
    {
        var (index, start, length) = _updateChunks[chunk];
        var stateCount = _stateSuffixes.Count;
        var next = 1 - _current;
        _chunkMeasurements[chunk] = _hostOptimizer!.Update(
            _parameterArrays[_current][index],
            _gradientArrays[index],
            _stateArrays[_current].AsSpan(index * stateCount, stateCount),
            _parameterArrays[next][index],
            _stateArrays[next].AsSpan(index * stateCount, stateCount),
            start,
            length,
            learningRate,
            step,
            gradientScale,
            observe,
            measureOldValues);
    }

    /// <summary>Splits the parameters into ranges of at most <see cref="UpdateChunkLength"/> elements, in parameter and element order.</summary>
    private static (int Parameter, int Start, int Length)[] UpdateChunks(float[][] gradients)
    {
        var chunks = new List<(int, int, int)>();
        for (var i = 0; i < gradients.Length; i++)
        {
            var length = gradients[i].Length;
            var start = 0;
            do
            {
                var take = Math.Min(UpdateChunkLength, length - start);
                chunks.Add((i, start, take));
                start += take;
            }
            while (start < length);
        }

        return [.. chunks];
    }

    /// <summary>Returns the global L2 norm of the gradients, NaN when an element is not finite.</summary>
    private double GradientNorm()
    {
        var squares = 0.0;
        foreach (var gradient in _gradientArrays)
        {
            squares = AddSquares(squares, TensorStatisticsKernel.Compute(gradient));
        }

        return NormFromSquares(squares);
    }

    /// <summary>
    /// Returns the square root of a total from <see cref="AddSquares"/>. A NaN total means an element is not finite,
    /// and then the norm is summed again without masking, as the optimizer model sums it: +Infinity when the
    /// non-finite elements are all infinite, NaN when one is NaN. Clipping then scales by 0 or NaN as PyTorch does.
    /// </summary>
    private double NormFromSquares(double squares)
    {
        if (!double.IsNaN(squares))
        {
            return Math.Sqrt(squares);
        }

        var total = 0.0;
        foreach (var gradient in _gradientArrays)
        {
            foreach (var g in gradient)
            {
                total += (double)g * g;
            }
        }

        return Math.Sqrt(total);
    }

    /// <inheritdoc/>
    public void SkipUpdate()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        RequireGradients(nameof(SkipUpdate));

        // A skipped step keeps the running statistics too, so one bad batch cannot poison them.
        for (var k = 0; k < _running.Count; k++)
        {
            if (_device is null)
            {
                _runningBackup[k].CopyTo(_runningArrays[_runningCurrent][k], 0);
            }
            else
            {
                _device.Copy(_runningBackupValues[k], _runningValues[_runningCurrent][k]);
            }
        }

        _hasGradients = false;
        _pendingUpdate = false;
        Step++;
    }

    /// <inheritdoc/>
    public double Evaluate(TrainingBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ObjectDisposedException.ThrowIf(_disposed, this);
        _evalFeeder.Validate(batch, 1);
        var binding = _evalBindings[_current];
        if (_rebindEveryRun)
        {
            BindEval(_current);
        }

        _evalFeeder.Bind(binding, batch, 0, 1);
        for (var k = 0; k < _running.Count; k++)
        {
            binding.BindInput(_running[k].Name, _runningValues[_runningCurrent][k]);
        }

        _evalSession.RunWithBinding(_runOptions, binding);
        BytesCopiedToHost += sizeof(float);
        return _evalLoss[0];
    }

    /// <summary>Returns a copy of the current values of a trainable parameter.</summary>
    /// <exception cref="KeyNotFoundException">The name is not a trainable parameter.</exception>
    public float[] GetParameterValues(string name)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var values = HostParameter(Parameters.GetIndex(name));
        BytesCopiedToHost += sizeof(float) * values.Length;
        return (float[])values.Clone();
    }

    /// <summary>Disposes the sessions, bindings and buffers; calling it again does nothing.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        foreach (var binding in _trainingBindings.Concat(_evalBindings).Concat(_statisticsBindings).Concat(_optimizerBindings))
        {
            binding?.Dispose();
        }

        _trainingFeeder?.Dispose();
        _evalFeeder?.Dispose();
        foreach (var value in _ownedValues)
        {
            value.Dispose();
        }

        // After the tensors it allocated, and before the training session whose allocator it holds.
        _device?.Dispose();

        _trainingSession?.Dispose();
        _evalSession?.Dispose();
        _optimizerSession?.Dispose();
        _statisticsSession?.Dispose();
        _runOptions.Dispose();
    }

    private int ElementCount(int index) => ElementCount(_shapes[index]);

    private static int ElementCount(long[] dims) => checked((int)dims.Aggregate(1L, (product, dimension) => product * dimension));

    private void BindRunningStatistics(OrtIoBinding binding)
    {
        for (var k = 0; k < _running.Count; k++)
        {
            binding.BindInput(_running[k].Name, _runningValues[_runningCurrent][k]);
            binding.BindOutput(_running[k].UpdatedOutput, _runningValues[1 - _runningCurrent][k]);
        }
    }

    private static float[][] NewArrays(long[][] shapes) => shapes.Select(shape => new float[ElementCount(shape)]).ToArray();

    /// <summary>Returns the bound tensors: OrtValues over the host arrays, or new device tensors when the buffers are on the device.</summary>
    private OrtValue[] Bind(float[][] arrays, long[][] shapes)
    {
        if (_device is null)
        {
            return arrays.Select((array, i) => Own(array, shapes[i])).ToArray();
        }

        var values = new OrtValue[shapes.Length];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = _device.Allocate(shapes[i]);
            _ownedValues.Add(values[i]);
        }

        return values;
    }

    /// <summary>Returns the host array with the current gradient of parameter <paramref name="index"/>, copied from the device first when it lives there.</summary>
    private float[] HostGradient(int index) => ToHost(_gradientValues[index], _gradientArrays[index], _shapes[index]);

    /// <summary>Returns the host array with the current values of parameter <paramref name="index"/>, copied from the device first when they live there.</summary>
    private float[] HostParameter(int index) => ToHost(_parameterValues[_current][index], _parameterArrays[_current][index], _shapes[index]);

    private float[] ToHost(OrtValue value, float[] array, long[] shape)
    {
        _device?.Download(value, array, shape);
        return array;
    }

    /// <summary>Sends a host array written in place to its device tensor; nothing to do when the array is the bound buffer.</summary>
    private void FromHost(float[] array, OrtValue value, long[] shape) => _device?.Upload(array, value, shape);

    private void BackUpRunningStatistics()
    {
        for (var k = 0; k < _running.Count; k++)
        {
            if (_device is null)
            {
                _runningArrays[_runningCurrent][k].CopyTo(_runningBackup[k], 0);
            }
            else
            {
                _device.Copy(_runningValues[_runningCurrent][k], _runningBackupValues[k]);
            }
        }
    }

    private OrtValue Own(float[] array, long[] shape)
    {
        var value = OrtValue.CreateTensorValueFromMemory(array, shape);
        _ownedValues.Add(value);
        return value;
    }

    private void RequireGradients(string operation)
    {
        if (!_hasGradients)
        {
            throw new InvalidOperationException($"{operation} needs gradients: call ComputeGradients first (each update or skip consumes them).");
        }
    }

    /// <summary>Adds micro-batch <paramref name="part"/>'s gradients, scaled by 1 / <paramref name="parts"/>, to the gradient buffers.</summary>
    private void Accumulate(int part, int parts)
    {
        var scale = 1f / parts;
        if (_device is not null)
        {
            // Part p writes the gradient tensors when parts - 1 - p is even, so the last part writes them, and
            // reads what part p - 1 wrote; ONNX Runtime cannot write a tensor that the same run reads.
            for (var i = 0; i < _gradientValues.Length; i++)
            {
                var target = (parts - 1 - part) % 2 == 0 ? _gradientValues[i] : _alternateGradientValues[i];
                if (part == 0)
                {
                    _device.Scale(_microGradientValues![i], scale, target);
                }
                else
                {
                    var previous = (parts - part) % 2 == 0 ? _gradientValues[i] : _alternateGradientValues[i];
                    _device.ScaleAdd(previous, _microGradientValues![i], scale, target);
                }
            }

            return;
        }

        var first = part == 0;
        for (var i = 0; i < _gradientArrays.Length; i++)
        {
            var target = _gradientArrays[i].AsSpan();
            ReadOnlySpan<float> micro = _microGradientArrays![i];
            if (first)
            {
                System.Numerics.Tensors.TensorPrimitives.Multiply(micro, scale, target);
            }
            else
            {
                System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(micro, scale, target, target);
            }
        }
    }

    private void BindParity(int parity)
    {
        BindTrainingParameters(parity);
        var training = _trainingBindings[parity];
        training.BindOutput(_artifacts.Manifest.Loss.Output, _lossValue);
        var gradients = _microGradientValues ?? _gradientValues;
        for (var i = 0; i < _names.Length; i++)
        {
            training.BindOutput(_names[i] + OptimizerGraph.GradientSuffix, gradients[i]);
        }

        BindEval(parity);
        _evalBindings[parity].BindOutput(_artifacts.Manifest.Loss.Output, _evalLossValue);
        BindStatistics(parity);
        _statisticsBindings[parity].BindOutput(GradientStatisticsGraph.OutputName, _statisticsValue);
        if (_optimizerSession is null)
        {
            return;
        }

        BindOptimizer(parity);
        var optimizer = _optimizerBindings[parity];
        var next = 1 - parity;
        for (var i = 0; i < _names.Length; i++)
        {
            optimizer.BindOutput(_names[i] + OptimizerGraph.UpdatedSuffix, _parameterValues[next][i]);
            for (var s = 0; s < _stateSuffixes.Count; s++)
            {
                optimizer.BindOutput(_names[i] + _stateSuffixes[s] + OptimizerGraph.UpdatedSuffix, _stateValues[next][(i * _stateSuffixes.Count) + s]);
            }
        }

        if (_optimizerGivesGlobalNorm)
        {
            optimizer.BindOutput(OptimizerGraph.GlobalNormOutput, _globalNormValue);
        }

        if (_optimizerGivesUpdateSquares)
        {
            optimizer.BindOutput(OptimizerGraph.UpdateSumOfSquaresOutput, _updateSumOfSquaresValue);
        }
    }

    private void BindTrainingParameters(int parity)
    {
        for (var i = 0; i < _names.Length; i++)
        {
            _trainingBindings[parity].BindInput(_names[i], _parameterValues[parity][i]);
        }
    }

    private void BindEval(int parity)
    {
        for (var i = 0; i < _names.Length; i++)
        {
            _evalBindings[parity].BindInput(_names[i], _parameterValues[parity][i]);
        }
    }

    private void BindStatistics(int parity)
    {
        for (var i = 0; i < _names.Length; i++)
        {
            _statisticsBindings[parity].BindInput(_names[i], _parameterValues[parity][i]);
            _statisticsBindings[parity].BindInput(_names[i] + OptimizerGraph.GradientSuffix, _gradientValues[i]);
        }
    }

    private void BindOptimizer(int parity)
    {
        var optimizer = _optimizerBindings[parity];
        BindOptimizerScalars(optimizer);
        for (var i = 0; i < _names.Length; i++)
        {
            optimizer.BindInput(_names[i], _parameterValues[parity][i]);
            optimizer.BindInput(_names[i] + OptimizerGraph.GradientSuffix, _gradientValues[i]);
            for (var s = 0; s < _stateSuffixes.Count; s++)
            {
                optimizer.BindInput(_names[i] + _stateSuffixes[s], _stateValues[parity][(i * _stateSuffixes.Count) + s]);
            }
        }
    }

    private void BindOptimizerScalars(OrtIoBinding optimizer)
    {
        BindHostInput(optimizer, OptimizerGraph.LearningRateInput, _learningRateValue);
        BindHostInput(optimizer, OptimizerGraph.StepInput, _stepValue);
    }

    private void BindHostInput(OrtIoBinding binding, string name, OrtValue value)
    {
        if (_device is null)
        {
            binding.BindInput(name, value);
        }
        else
        {
            _device.BindHostInput(binding, name, value);
        }
    }

    private static HashSet<string> ClassIndexInputs(ArtifactManifest manifest) =>
        manifest.Loss.Kind is "cross_entropy" or "nll"
            ? manifest.Loss.TargetInputs.ToHashSet(StringComparer.Ordinal)
            : [];

    /// <summary>Returns axis 1 of the first forward output with a fixed axis 1, the class count for class-index losses; 0 when unknown.</summary>
    private static long ClassCount(InferenceSession training, ArtifactManifest manifest, HashSet<string> parameterNames)
    {
        foreach (var name in manifest.Models.Training.Outputs)
        {
            if (name == manifest.Loss.Output || name.EndsWith(OptimizerGraph.GradientSuffix, StringComparison.Ordinal) && parameterNames.Contains(name[..^OptimizerGraph.GradientSuffix.Length]))
            {
                continue;
            }

            if (training.OutputMetadata.TryGetValue(name, out var metadata) && metadata.Dimensions.Length >= 2 && metadata.Dimensions[1] > 0)
            {
                return metadata.Dimensions[1];
            }
        }

        return 0;
    }

    /// <summary>
    /// Returns the training model with keyed Dropout masks and the running statistics exposed, the ignored labels,
    /// and the number of Dropout nodes rewritten.
    /// </summary>
    private (byte[] Bytes, List<RunningStatistic> Running, HashSet<long> IgnoredLabels, int DropoutNodes) TrainingModel(HashSet<string> classIndexInputs)
    {
        var model = OnnxModel.Load(_artifacts.TrainingModelPath);
        var dropoutNodes = KeyedDropout.Apply(model.Proto);
        UnreadConstants.Remove(model.Proto.Graph);
        var running = RunningStatistics.ExposeInTraining(model.Proto);
        return (model.ToByteArray(), running, IgnoredLabels.Find(model.Proto, classIndexInputs), dropoutNodes);
    }

    /// <summary>Adds a gradient's sum of squares to a running total, which becomes NaN once an element is not finite (see <see cref="NormFromSquares"/>).</summary>
    private static double AddSquares(double total, in TensorStatistics gradient) =>
        gradient.NonFiniteCount > 0 ? double.NaN : total + gradient.SumOfSquares;

    /// <summary>Reads the optimizer model, without the outputs that the host path computes itself.</summary>
    private byte[] OptimizerModel()
    {
        var bytes = File.ReadAllBytes(_artifacts.OptimizerModelPath);
        if (_optimizerGivesUpdateSquares && _optimizerGivesGlobalNorm)
        {
            return bytes;
        }

        var model = OnnxModel.Load(bytes);
        var graph = model.Proto.Graph;
        foreach (var output in graph.Output.ToList())
        {
            if ((output.Name == OptimizerGraph.UpdateSumOfSquaresOutput && !_optimizerGivesUpdateSquares) ||
                (output.Name == OptimizerGraph.GlobalNormOutput && !_optimizerGivesGlobalNorm))
            {
                graph.Output.Remove(output);
            }
        }

        RemoveUnusedNodes(graph);
        return model.ToByteArray();
    }

    /// <summary>Returns the eval model with BatchNormalization and Dropout in inference mode, reading the running statistics as inputs.</summary>
    private byte[] EvalModel(List<RunningStatistic> running)
    {
        var model = OnnxModel.Load(_artifacts.EvalModelPath);
        RunningStatistics.ToInferenceMode(model.Proto, running);
        DropoutInference.Apply(model.Proto);
        UnreadConstants.Remove(model.Proto.Graph);
        return model.ToByteArray();
    }
}
