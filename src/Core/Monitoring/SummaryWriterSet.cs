using Microsoft.Extensions.Logging;

namespace GradDiag;

/// <summary>
/// The monitor's writers, each isolated: one that throws is logged once and disabled, unless fail-fast is on.
/// </summary>
internal sealed class SummaryWriterSet
{
    private readonly ISummaryWriter[] _writers;
    private readonly bool[] _disabled;
    private readonly bool[] _faultLogged;
    private readonly ILogger _logger;
    private readonly bool _failFast;

    public SummaryWriterSet(IEnumerable<ISummaryWriter> writers, ILogger logger, bool failFast)
    {
        _writers = writers.ToArray();
        for (int i = 0; i < _writers.Length; i++)
        {
            if (_writers[i] is null)
            {
                throw new ArgumentException($"Summary writer at position {i} is null.", nameof(writers));
            }
        }

        _disabled = new bool[_writers.Length];
        _faultLogged = new bool[_writers.Length];
        _logger = logger;
        _failFast = failFast;
    }

    public int Count => _writers.Length;

    /// <summary>Gets the number of writers disabled after they threw.</summary>
    public int DisabledCount { get; private set; }

    public void WriteStep(StepStatistics statistics, ParameterTracker[] trackers, ScalarSeries series, string? parametersTable)
    {
        for (int w = 0; w < _writers.Length; w++)
        {
            if (_disabled[w])
            {
                continue;
            }

            ISummaryWriter writer = _writers[w];
            try
            {
                if (parametersTable is not null)
                {
                    writer.WriteText(SummaryTags.Parameters, statistics.Step, parametersTable);
                }

                WriteScalars(writer, statistics, trackers, series);
                if (statistics.Histograms is not null)
                {
                    WriteHistograms(writer, statistics.Step, trackers);
                }
            }
            catch (Exception exception) when (!_failFast)
            {
                Disable(w, exception);
            }

            CheckFault(w);
        }
    }

    public void WriteText(string tag, long step, string text)
    {
        for (int w = 0; w < _writers.Length; w++)
        {
            if (_disabled[w])
            {
                continue;
            }

            try
            {
                _writers[w].WriteText(tag, step, text);
            }
            catch (Exception exception) when (!_failFast)
            {
                Disable(w, exception);
            }
        }
    }

    public async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        for (int w = 0; w < _writers.Length; w++)
        {
            try
            {
                await _writers[w].FlushAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception exception) when (!_failFast && exception is not OperationCanceledException)
            {
                Log.WriterFlushFailed(_logger, _writers[w].Name, exception);
            }
        }
    }

    /// <summary>Flushes and disposes every writer, logging failures; never throws.</summary>
    public async ValueTask DisposeAllAsync()
    {
        foreach (ISummaryWriter writer in _writers)
        {
            try
            {
                await writer.FlushAsync().ConfigureAwait(false);
                await writer.DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception exception)
            {
                Log.WriterFlushFailed(_logger, writer.Name, exception);
            }
        }
    }

    private static void WriteScalars(ISummaryWriter writer, StepStatistics statistics, ParameterTracker[] trackers, ScalarSeries series)
    {
        long step = statistics.Step;
        WriteIfKnown(writer, series, ScalarSeries.Loss, SummaryTags.Loss, step, statistics.Loss);
        WriteIfKnown(writer, series, ScalarSeries.LearningRate, SummaryTags.LearningRate, step, statistics.LearningRate);
        WriteIfKnown(writer, series, ScalarSeries.GlobalNorm, SummaryTags.GlobalNorm, step, statistics.GlobalNorm);

        ReadOnlySpan<ParameterStatistics> perParameter = statistics.PerParameter;
        for (int i = 0; i < perParameter.Length; i++)
        {
            ref readonly ParameterStatistics p = ref perParameter[i];
            ParameterTracker tracker = trackers[i];
            if (!tracker.IsLogged)
            {
                continue;
            }

            WriteIfKnown(writer, series, ScalarSeries.GradientNorm, tracker.GradientNormTag, step, p.L2Norm);
            WriteIfKnown(writer, series, ScalarSeries.UpdateRatio, tracker.UpdateRatioTag, step, p.UpdateToParameterRatio);
            WriteIfKnown(writer, series, ScalarSeries.GradientToParameterRatio, tracker.GradientToParameterRatioTag, step, p.GradientToParameterRatio);
            WriteIfKnown(writer, series, ScalarSeries.MaxAbs, tracker.MaxAbsTag, step, p.MaxAbs);
            WriteIfKnown(writer, series, ScalarSeries.ZeroFraction, tracker.ZeroFractionTag, step, p.ZeroFraction);
            if ((series & ScalarSeries.NonFinite) != 0 && p.NonFiniteCount > 0)
            {
                writer.WriteScalar(tracker.NonFiniteTag, step, p.NonFiniteCount);
            }
        }
    }

    // NOTE: NaN means unknown in StepStatistics, so a loss that really became NaN is not written either.
    // The grad_nonfinite series and the findings show that the run broke.
    private static void WriteIfKnown(ISummaryWriter writer, ScalarSeries series, ScalarSeries flag, string tag, long step, double value)
    {
        if ((series & flag) != 0 && !double.IsNaN(value))
        {
            writer.WriteScalar(tag, step, value);
        }
    }

    private static void WriteHistograms(ISummaryWriter writer, long step, ParameterTracker[] trackers)
    {
        foreach (ParameterTracker tracker in trackers)
        {
            if (tracker.HasHistogramThisStep)
            {
                writer.WriteHistogram(tracker.HistogramTag, step, tracker.Histogram!);
                writer.WriteHistogram(tracker.Log10HistogramTag, step, tracker.MagnitudeHistogram!);
            }
        }
    }

    private void Disable(int index, Exception exception)
    {
        _disabled[index] = true;
        DisabledCount++;
        Log.WriterFailed(_logger, _writers[index].Name, exception);
    }

    private void CheckFault(int index)
    {
        if (_faultLogged[index] || _writers[index].Fault is not { } fault)
        {
            return;
        }

        _faultLogged[index] = true;
        Log.WriterFaulted(_logger, _writers[index].Name, fault);
    }
}
