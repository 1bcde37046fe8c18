using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace GradDiag;

/// <summary>
/// Watches the gradients of a training run: turns each step's gradients into statistics, hands them to the
/// summary writers and detectors, raises findings to the host and builds the run's report.
/// </summary>
/// <remarks>
/// <para>
/// Three entry points feed it: <see cref="TrainStep(TrainingBatch)"/> drives an <see cref="ITrainingBackend"/>;
/// <see cref="Observe(GradientSnapshot)"/> and <see cref="Observe(long, double, IReadOnlyDictionary{string, float[]}, IReadOnlyDictionary{string, float[]}?, double)"/>
/// serve a custom training loop; <see cref="Observe(StepStatistics)"/> replays statistics read back from logs.
/// Steps must increase: a negative step is rejected with an exception, and a step that is not after the last
/// one is logged, counted in <see cref="RejectedSteps"/> and not shown to detectors.
/// </para>
/// <para>
/// The monitor is not thread-safe; call it from the training thread. It reuses one <see cref="StepStatistics"/>
/// instance, so on steps where no finding changes it allocates nothing. Writers and detectors that throw are
/// logged once and disabled, unless <see cref="GradDiagOptions.FailFast"/> is set. Disposing the monitor ends
/// the run, then flushes and disposes the writers and the backend it was given.
/// </para>
/// </remarks>
public sealed class GradientMonitor : IAsyncDisposable, IDisposable
{
    private readonly GradDiagOptions _options;
    private readonly ILogger _logger;
    private readonly GradDiagMetrics _metrics;
    private readonly SummaryWriterSet _writers;
    private readonly DetectorSet _detectors;
    private readonly List<Finding> _observations = [];
    private readonly HashSet<string> _observationIds = new(StringComparer.Ordinal);

    private ParameterTracker[] _trackers = [];
    private StepStatistics? _statistics;
    private HistogramData?[] _histograms = [];
    private GradientSnapshot? _snapshot;
    private string? _parametersTable;
    private bool _parametersWritten;
    private long _lastStep = -1;
    private long _firstObservedStep = -1;
    private long _lastObservedStep = -1;
    private int _findingsOpenedThisStep;
    private bool _skipRequested;
    private string? _skipReason;
    private bool _completed;
    private int _disposed;

    /// <summary>Creates a monitor.</summary>
    /// <param name="options">The settings; defaults when null.</param>
    /// <param name="writers">The summary writers to feed; none when null.</param>
    /// <param name="detectors">The detectors to run; none when null.</param>
    /// <param name="backend">The backend that <see cref="TrainStep(TrainingBatch)"/> drives, or null.</param>
    /// <param name="loggerFactory">Creates the monitor's logger; nothing is logged when null.</param>
    /// <param name="meterFactory">Creates the <c>GradDiag</c> meter; a meter is created directly when null.</param>
    /// <exception cref="ArgumentException">An option is invalid, a writer or detector is null, or two detectors share a name.</exception>
    public GradientMonitor(
        GradDiagOptions? options = null,
        IEnumerable<ISummaryWriter>? writers = null,
        IEnumerable<IGradientDetector>? detectors = null,
        ITrainingBackend? backend = null,
        ILoggerFactory? loggerFactory = null,
        IMeterFactory? meterFactory = null)
    {
        _options = options ?? new GradDiagOptions();
        List<string> failures = GradDiagOptionsValidator.Check(_options);
        if (failures.Count > 0)
        {
            throw new ArgumentException("Invalid GradDiag options: " + string.Join(" ", failures), nameof(options));
        }

        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<GradientMonitor>();
        _writers = new SummaryWriterSet(writers ?? [], _logger, _options.FailFast);
        _detectors = new DetectorSet(detectors ?? [], _logger, _options.FailFast, OnFindingReported, OnSkipRequested);
        _metrics = new GradDiagMetrics(meterFactory);
        Backend = backend;
        if (backend is not null)
        {
            DeclareParameters(backend.Parameters);
        }
    }

    /// <summary>Occurs when a finding opens or closes, or a detector makes a one-off observation.</summary>
    /// <remarks>Raised on the training thread; a handler that throws is logged and ignored unless fail-fast is on.</remarks>
    public event EventHandler<FindingEvent>? FindingChanged;

    /// <summary>Gets the backend that <see cref="TrainStep(TrainingBatch)"/> drives, or null.</summary>
    public ITrainingBackend? Backend { get; }

    /// <summary>Gets the parameters being watched, or null before they are declared or first seen.</summary>
    public ParameterSet? Parameters { get; private set; }

    /// <summary>Gets the number of steps whose statistics were handed to writers and detectors.</summary>
    public long StepsObserved { get; private set; }

    /// <summary>Gets the number of steps rejected because they were not after the previous step.</summary>
    public long RejectedSteps { get; private set; }

    /// <summary>Gets the number of writers and detectors disabled after they threw.</summary>
    public int DisabledComponents => _writers.DisabledCount + _detectors.DisabledCount;

    /// <summary>Declares the parameters a custom loop will report, in depth order.</summary>
    /// <exception cref="InvalidOperationException">Different parameters were already declared or seen.</exception>
    public void DeclareParameters(ParameterSet parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ThrowIfDisposed();
        if (Parameters is not null)
        {
            if (!SameNames(Parameters, parameters))
            {
                throw new InvalidOperationException(
                    $"The monitor already watches {Parameters.Count} parameters ({Describe(Parameters)}); it cannot switch to ({Describe(parameters)}). Create a new monitor for another model.");
            }

            return;
        }

        Parameters = parameters;
        var filter = new ParameterNameFilter(_options.IncludeParameters, _options.ExcludeParameters);
        _trackers = parameters.Select((p, i) => new ParameterTracker(p, i, filter.IsLogged(p.Name))).ToArray();
        _statistics = new StepStatistics(parameters);
        _histograms = new HistogramData?[parameters.Count];
        _parametersTable = BuildParametersTable(parameters);
        Log.MonitorStarted(_logger, parameters.Count, _writers.Count, _detectors.Count);
    }

    /// <summary>Runs one training step on <see cref="Backend"/>; see <see cref="TrainStep(ITrainingBackend, TrainingBatch)"/>.</summary>
    /// <exception cref="InvalidOperationException">The monitor was created without a backend.</exception>
    public StepResult TrainStep(TrainingBatch batch)
    {
        ITrainingBackend backend = Backend
            ?? throw new InvalidOperationException("The monitor has no training backend; register one (builder.AddBackend) or call TrainStep(backend, batch).");
        return TrainStep(backend, batch);
    }

    /// <summary>
    /// Runs one training step: forward and backward pass, gradient capture, the non-finite guard, the optimizer
    /// update (or its skip), then hands the step's statistics to writers and detectors.
    /// </summary>
    /// <remarks>
    /// The step number is <see cref="ITrainingBackend.Step"/> before the update. Steps that the sampling policy
    /// leaves out are trained without capturing gradients. With <see cref="GradDiagOptions.SkipNonFiniteUpdates"/>
    /// on, detectors observe the step before the update so that they can veto it, and so see no update norms.
    /// </remarks>
    /// <exception cref="ArgumentException">The batch does not match the model; the backend's message names the input.</exception>
    public StepResult TrainStep(ITrainingBackend backend, TrainingBatch batch)
    {
        ArgumentNullException.ThrowIfNull(backend);
        ArgumentNullException.ThrowIfNull(batch);
        ThrowIfDisposed();
        DeclareParameters(backend.Parameters);

        long step = backend.Step;
        double loss = backend.ComputeGradients(batch);
        if (!BeginStep(step) || !IsStatisticsStep(step))
        {
            backend.ApplyUpdate(null);
            return new StepResult(step, loss, double.NaN, Observed: false, UpdateSkipped: false, SkipRequested: false, FindingsOpened: 0);
        }

        bool histogramStep = IsHistogramStep(step);
        if (_snapshot is null || !ReferenceEquals(_snapshot.Parameters, backend.Parameters))
        {
            _snapshot = new GradientSnapshot(backend.Parameters);
        }

        GradientSnapshot snapshot = _snapshot;
        backend.CaptureGradients(snapshot, includeHostValues: histogramStep);
        snapshot.Step = step;
        snapshot.Loss = loss;
        if (double.IsNaN(snapshot.LearningRate))
        {
            snapshot.LearningRate = backend.LearningRate;
        }

        StepStatistics statistics = ComputeStatistics(snapshot, histogramStep);
        bool guard = _options.SkipNonFiniteUpdates;
        if (guard)
        {
            if (statistics.NonFiniteCount > 0 || !double.IsFinite(loss))
            {
                RequestSkip(statistics.NonFiniteCount > 0 ? "non-finite gradient elements" : "non-finite loss");
            }

            _detectors.Observe(statistics);
        }

        if (_skipRequested)
        {
            Log.UpdateSkipped(_logger, step, _skipReason ?? string.Empty);
            backend.SkipUpdate();
        }
        else
        {
            backend.ApplyUpdate(snapshot);
            SnapshotStatistics.ApplyUpdates(snapshot, statistics);
        }

        statistics.UpdateSkipped = _skipRequested;
        if (!guard)
        {
            _detectors.Observe(statistics);
        }

        return FinishStep(statistics);
    }

    /// <summary>
    /// Observes the gradients of one step of a custom training loop, given as float arrays by parameter name.
    /// </summary>
    /// <remarks>
    /// When no parameters were declared, the names of the first call become the parameters, in the
    /// dictionary's enumeration order as depth and with one-dimensional shapes; call
    /// <see cref="DeclareParameters"/> first to give real shapes and depths. A declared parameter missing from
    /// <paramref name="gradients"/> is unknown at this step. Call it before the optimizer update, and skip the
    /// update when <see cref="StepResult.SkipRequested"/> is true.
    /// </remarks>
    /// <param name="step">The training step, not negative and after the previous one.</param>
    /// <param name="loss">The loss, or NaN when unknown.</param>
    /// <param name="gradients">The gradient of each parameter, by name.</param>
    /// <param name="parameterValues">The values of each parameter, by name, for the parameter norm; optional.</param>
    /// <param name="learningRate">The learning rate, or NaN when unknown.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="step"/> is negative.</exception>
    /// <exception cref="ArgumentException">A name is not a declared parameter, an array is null, or a length differs from the parameter's shape.</exception>
    public StepResult Observe(
        long step,
        double loss,
        IReadOnlyDictionary<string, float[]> gradients,
        IReadOnlyDictionary<string, float[]>? parameterValues = null,
        double learningRate = double.NaN)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        ArgumentNullException.ThrowIfNull(gradients);
        ThrowIfDisposed();
        if (Parameters is null)
        {
            DeclareParameters(new ParameterSet(gradients.Select((pair, i) => new ParameterDescriptor(pair.Key, [pair.Value?.Length ?? 0], i))));
        }

        _snapshot ??= new GradientSnapshot(Parameters!);
        GradientSnapshot snapshot = _snapshot;
        snapshot.Reset(step);
        snapshot.Loss = loss;
        snapshot.LearningRate = learningRate;
        int matched = Fill(snapshot, gradients, nameof(gradients), isGradient: true);
        if (matched != gradients.Count)
        {
            throw UnknownNames(gradients, nameof(gradients));
        }

        if (parameterValues is not null && Fill(snapshot, parameterValues, nameof(parameterValues), isGradient: false) != parameterValues.Count)
        {
            throw UnknownNames(parameterValues, nameof(parameterValues));
        }

        return Observe(snapshot);
    }

    /// <summary>Observes a snapshot that a custom loop filled; allocates nothing on steps where no finding changes.</summary>
    /// <remarks>Call it before the optimizer update, and skip the update when <see cref="StepResult.SkipRequested"/> is true.</remarks>
    /// <exception cref="ArgumentException">The snapshot's parameters differ from the declared ones.</exception>
    public StepResult Observe(GradientSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ThrowIfDisposed();
        EnsureParameters(snapshot.Parameters, nameof(snapshot));

        long step = snapshot.Step;
        if (!BeginStep(step) || !IsStatisticsStep(step))
        {
            return new StepResult(step, snapshot.Loss, double.NaN, Observed: false, snapshot.UpdateSkipped, SkipRequested: false, FindingsOpened: 0);
        }

        StepStatistics statistics = ComputeStatistics(snapshot, IsHistogramStep(step));
        statistics.UpdateSkipped = snapshot.UpdateSkipped;
        if (_options.SkipNonFiniteUpdates && statistics.NonFiniteCount > 0)
        {
            RequestSkip("non-finite gradient elements");
        }

        _detectors.Observe(statistics);
        return FinishStep(statistics);
    }

    /// <summary>
    /// Observes statistics read back from logs, where usually only norms are known; the sampling policy does not apply.
    /// </summary>
    /// <remarks>When <see cref="StepStatistics.GlobalNorm"/> is NaN it is computed from the finite per-parameter norms.</remarks>
    /// <exception cref="ArgumentException">The statistics' parameters differ from the declared ones.</exception>
    public StepResult Observe(StepStatistics statistics)
    {
        ArgumentNullException.ThrowIfNull(statistics);
        ThrowIfDisposed();
        EnsureParameters(statistics.Parameters, nameof(statistics));
        ArgumentOutOfRangeException.ThrowIfNegative(statistics.Step, nameof(statistics) + "." + nameof(StepStatistics.Step));

        long step = statistics.Step;
        if (!BeginStep(step))
        {
            return new StepResult(step, statistics.Loss, double.NaN, Observed: false, statistics.UpdateSkipped, SkipRequested: false, FindingsOpened: 0);
        }

        StepStatistics target = _statistics!;
        target.Reset(step);
        target.Loss = statistics.Loss;
        target.LearningRate = statistics.LearningRate;
        target.UpdateSkipped = statistics.UpdateSkipped;
        target.Histograms = statistics.Histograms;
        ReadOnlySpan<ParameterStatistics> source = statistics.PerParameter;
        long nonFinite = 0;
        bool anyCount = false;
        for (int i = 0; i < source.Length; i++)
        {
            target.Set(i, source[i]);
            if (source[i].NonFiniteCount >= 0)
            {
                nonFinite += source[i].NonFiniteCount;
                anyCount = true;
            }
        }

        target.GlobalNorm = double.IsNaN(statistics.GlobalNorm)
            ? SnapshotStatistics.GlobalNormFromParameters(source)
            : statistics.GlobalNorm;
        if (statistics.NonFiniteCount >= 0)
        {
            target.NonFiniteCount = statistics.NonFiniteCount;
        }
        else
        {
            target.NonFiniteCount = anyCount ? nonFinite : -1;
        }
        foreach (ParameterTracker tracker in _trackers)
        {
            tracker.HasHistogramThisStep = false;
        }

        _detectors.Observe(target);
        return FinishStep(target);
    }

    /// <summary>Ends the run for the detectors: findings still open stay open. Later calls do nothing.</summary>
    public void Complete()
    {
        if (_completed)
        {
            return;
        }

        _completed = true;
        _detectors.Complete();
    }

    /// <summary>Ends the run (see <see cref="Complete"/>) and builds its report.</summary>
    /// <param name="run">The run's name, for example its log folder.</param>
    /// <param name="interrupted">True when training stopped before its end, for example after Ctrl+C.</param>
    public RunReport CreateReport(string run, bool interrupted = false)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(run);
        Complete();

        List<Finding> findings = _detectors.CollectFindings();
        findings.RemoveAll(f => _observationIds.Contains(f.Id));
        findings.Sort((a, b) => a.FirstStep != b.FirstStep ? a.FirstStep.CompareTo(b.FirstStep) : string.CompareOrdinal(a.Id, b.Id));

        var layers = new List<LayerSummary>(_trackers.Length);
        foreach (ParameterTracker tracker in _trackers)
        {
            layers.Add(tracker.ToSummary(WorstSeverity(findings, tracker.Descriptor)));
        }

        bool any = StepsObserved > 0;
        return new RunReport
        {
            Run = run,
            FirstStep = any ? _firstObservedStep : null,
            LastStep = any ? _lastObservedStep : null,
            StepsObserved = StepsObserved,
            Interrupted = interrupted,
            Findings = findings,
            Observations = _observations.ToArray(),
            Layers = layers,
        };
    }

    /// <summary>Writes everything the writers queued so far and waits until it is written.</summary>
    public ValueTask FlushAsync(CancellationToken cancellationToken = default) => _writers.FlushAsync(cancellationToken);

    /// <summary>Ends the run, flushes and disposes the writers, then disposes the backend. Later calls do nothing.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        try
        {
            Complete();
        }
        finally
        {
            await _writers.DisposeAllAsync().ConfigureAwait(false);
            if (Backend is not null)
            {
                try
                {
                    Backend.Dispose();
                }
                catch (Exception exception)
                {
                    Log.BackendDisposeFailed(_logger, Backend.Device, exception);
                }
            }

            _metrics.Dispose();
            Log.MonitorStopped(_logger, StepsObserved);
        }
    }

    /// <summary>Disposes the monitor synchronously, as <see cref="DisposeAsync"/> does, for containers disposed without await.</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    internal void OnFindingReported(FindingEvent findingEvent)
    {
        Finding finding = findingEvent.Finding;
        switch (findingEvent.Kind)
        {
            case FindingEventKind.Opened:
                _findingsOpenedThisStep++;
                _metrics.RecordFinding(finding);
                Log.FindingOpened(_logger, finding.Id, findingEvent.Step, finding.Severity, finding.Message);
                break;
            case FindingEventKind.Closed:
                Log.FindingClosed(_logger, finding.Id, findingEvent.Step);
                break;
            default:
                _metrics.RecordFinding(finding);
                Log.FindingObserved(_logger, finding.Id, findingEvent.Step, finding.Message);
                KeepObservation(finding, findingEvent.Step);
                break;
        }

        _writers.WriteText(SummaryTags.Findings, findingEvent.Step, DescribeEvent(findingEvent));
        try
        {
            FindingChanged?.Invoke(this, findingEvent);
            _options.OnFinding?.Invoke(findingEvent);
        }
        catch (Exception exception) when (!_options.FailFast)
        {
            Log.FindingHandlerFailed(_logger, finding.Id, findingEvent.Step, exception);
        }
    }

    private void OnSkipRequested(string detectorName, string reason)
    {
        if (!_options.SkipNonFiniteUpdates)
        {
            Log.SkipRequestIgnored(_logger, detectorName, _statistics?.Step ?? -1, reason);
            return;
        }

        RequestSkip(reason);
    }

    private void RequestSkip(string reason)
    {
        _skipReason = _skipRequested ? _skipReason : reason;
        _skipRequested = true;
    }

    /// <summary>Checks the step order and resets per-step state; false when the step must be skipped.</summary>
    private bool BeginStep(long step)
    {
        _findingsOpenedThisStep = 0;
        _skipRequested = false;
        _skipReason = null;
        if (step <= _lastStep)
        {
            RejectedSteps++;
            Log.StepNotIncreasing(_logger, step, _lastStep, RejectedSteps);
            return false;
        }

        _lastStep = step;
        return true;
    }

    private bool IsStatisticsStep(long step) => step % _options.StatisticsInterval == 0 || IsHistogramStep(step);

    private bool IsHistogramStep(long step) => _options.HistogramInterval > 0 && step % _options.HistogramInterval == 0;

    private StepStatistics ComputeStatistics(GradientSnapshot snapshot, bool histogramStep)
    {
        // Compute sets every parameter's entry, so the per-step fields are reset here without StepStatistics.Reset,
        // which would also fill every entry with Unknown first.
        StepStatistics statistics = _statistics!;
        statistics.Step = snapshot.Step;
        statistics.Loss = snapshot.Loss;
        statistics.LearningRate = snapshot.LearningRate;
        statistics.UpdateSkipped = false;
        statistics.Histograms = null;
        SnapshotStatistics.Compute(snapshot, statistics, _trackers, histogramStep, _options.HistogramThreads);
        if (histogramStep)
        {
            for (int i = 0; i < _trackers.Length; i++)
            {
                _histograms[i] = _trackers[i].HasHistogramThisStep ? _trackers[i].Histogram : null;
            }

            statistics.Histograms = _histograms;
        }

        return statistics;
    }

    private StepResult FinishStep(StepStatistics statistics)
    {
        string? table = null;
        if (!_parametersWritten)
        {
            _parametersWritten = true;
            table = _parametersTable;
        }

        _writers.WriteStep(statistics, _trackers, _options.ScalarSeries, table);
        ReadOnlySpan<ParameterStatistics> perParameter = statistics.PerParameter;
        for (int i = 0; i < perParameter.Length; i++)
        {
            _trackers[i].Track(perParameter[i]);
        }

        _metrics.RecordStep(statistics);
        StepsObserved++;
        if (_firstObservedStep < 0)
        {
            _firstObservedStep = statistics.Step;
        }

        _lastObservedStep = statistics.Step;
        return new StepResult(
            statistics.Step,
            statistics.Loss,
            statistics.GlobalNorm,
            Observed: true,
            statistics.UpdateSkipped,
            _skipRequested,
            _findingsOpenedThisStep,
            statistics.NonFiniteCount);
    }

    private void EnsureParameters(ParameterSet parameters, string argumentName)
    {
        if (Parameters is null)
        {
            DeclareParameters(parameters);
            return;
        }

        if (!ReferenceEquals(Parameters, parameters) && !SameNames(Parameters, parameters))
        {
            throw new ArgumentException(
                $"The {argumentName}'s parameters ({Describe(parameters)}) differ from the monitor's ({Describe(Parameters)}).",
                argumentName);
        }
    }

    private static int Fill(GradientSnapshot snapshot, IReadOnlyDictionary<string, float[]> arrays, string argumentName, bool isGradient)
    {
        int matched = 0;
        ParameterSet parameters = snapshot.Parameters;
        for (int i = 0; i < parameters.Count; i++)
        {
            if (!arrays.TryGetValue(parameters[i].Name, out float[]? values))
            {
                continue;
            }

            if (values is null)
            {
                throw new ArgumentException($"The array for parameter '{parameters[i].Name}' in {argumentName} is null.", argumentName);
            }

            if (isGradient)
            {
                snapshot.SetGradient(i, values);
            }
            else
            {
                snapshot.SetParameterValues(i, values);
            }

            matched++;
        }

        return matched;
    }

    private ArgumentException UnknownNames(IReadOnlyDictionary<string, float[]> arrays, string argumentName)
    {
        string unknown = string.Join(", ", arrays.Keys.Where(name => Parameters!.IndexOf(name) < 0).Select(name => $"'{name}'"));
        return new ArgumentException(
            $"{argumentName} contains names that are not declared parameters: {unknown}. Declared: {Describe(Parameters!)}.",
            argumentName);
    }

    private void KeepObservation(Finding finding, long step)
    {
        _observationIds.Add(finding.Id);
        if (_observations.Count < _options.MaxObservations)
        {
            _observations.Add(finding);
        }
        else
        {
            Log.ObservationDropped(_logger, finding.Id, step, _options.MaxObservations);
        }
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);

    private static Severity? WorstSeverity(List<Finding> findings, ParameterDescriptor parameter)
    {
        Severity? worst = null;
        foreach (Finding finding in findings)
        {
            bool names = finding.Parameters.Contains(parameter.Name) || finding.Layers.Contains(parameter.Layer);
            if (names && (worst is null || finding.Severity > worst))
            {
                worst = finding.Severity;
            }
        }

        return worst;
    }

    private static bool SameNames(ParameterSet a, ParameterSet b)
    {
        if (a.Count != b.Count)
        {
            return false;
        }

        for (int i = 0; i < a.Count; i++)
        {
            if (!string.Equals(a[i].Name, b[i].Name, StringComparison.Ordinal) || a[i].ElementCount != b[i].ElementCount)
            {
                return false;
            }
        }

        return true;
    }

    private static string Describe(ParameterSet parameters)
    {
        const int MaxNamesShown = 10;
        string names = string.Join(", ", parameters.Take(MaxNamesShown).Select(p => p.Name));
        return parameters.Count > MaxNamesShown ? $"{names}, … {parameters.Count - MaxNamesShown} more" : names;
    }

    private static string DescribeEvent(FindingEvent findingEvent)
    {
        Finding finding = findingEvent.Finding;
        string change = findingEvent.Kind switch
        {
            FindingEventKind.Opened => "opened",
            FindingEventKind.Closed => "closed",
            _ => "observed",
        };
        return string.Create(
            CultureInfo.InvariantCulture,
            $"**{finding.Kind}** `{finding.Id}` {change} at step {findingEvent.Step} ({finding.Severity}, detector {finding.Detector}): {finding.Message}");
    }

    /// <summary>Builds the Markdown table of the parameters, so that offline readers recover depth order.</summary>
    internal static string BuildParametersTable(ParameterSet parameters)
    {
        var table = new StringBuilder();
        table.AppendLine("| name | layer | depth | shape | trainable |");
        table.AppendLine("| --- | --- | --- | --- | --- |");
        foreach (ParameterDescriptor parameter in parameters)
        {
            table.Append(CultureInfo.InvariantCulture,
                $"| {parameter.Name} | {parameter.Layer} | {parameter.Depth} | [{string.Join(", ", parameter.Shape)}] | {(parameter.IsTrainable ? "true" : "false")} |");
            table.AppendLine();
        }

        return table.ToString();
    }
}
