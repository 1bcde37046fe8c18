using Microsoft.Extensions.Logging;

namespace GradDiag;

/// <summary>
/// The monitor's detectors, each isolated: one that throws is logged once and disabled, unless fail-fast is on.
/// The set is also the <see cref="IDetectorContext"/> they report through.
/// </summary>
internal sealed class DetectorSet : IDetectorContext
{
    private readonly IGradientDetector[] _detectors;
    private readonly bool[] _disabled;
    private readonly ILogger _logger;
    private readonly bool _failFast;
    private readonly Action<FindingEvent> _onReport;
    private readonly Action<string, string> _onSkipRequest;
    private int _current = -1;
    private long _step;

    public DetectorSet(
        IEnumerable<IGradientDetector> detectors,
        ILogger logger,
        bool failFast,
        Action<FindingEvent> onReport,
        Action<string, string> onSkipRequest)
    {
        _detectors = detectors.ToArray();
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < _detectors.Length; i++)
        {
            if (_detectors[i] is null)
            {
                throw new ArgumentException($"Detector at position {i} is null.", nameof(detectors));
            }

            if (string.IsNullOrWhiteSpace(_detectors[i].Name) || !names.Add(_detectors[i].Name))
            {
                throw new ArgumentException(
                    $"Detector at position {i} ({_detectors[i].GetType().Name}) has a blank or duplicate name '{_detectors[i].Name}'; detector names must be unique because finding ids contain them.",
                    nameof(detectors));
            }
        }

        _disabled = new bool[_detectors.Length];
        _logger = logger;
        _failFast = failFast;
        _onReport = onReport;
        _onSkipRequest = onSkipRequest;
    }

    public int Count => _detectors.Length;

    /// <summary>Gets the number of detectors disabled after they threw.</summary>
    public int DisabledCount { get; private set; }

    public void Observe(StepStatistics statistics)
    {
        _step = statistics.Step;
        for (int d = 0; d < _detectors.Length; d++)
        {
            if (_disabled[d])
            {
                continue;
            }

            _current = d;
            try
            {
                _detectors[d].Observe(statistics, this);
            }
            catch (Exception exception) when (!_failFast)
            {
                Disable(d, exception);
            }
        }

        _current = -1;
    }

    public void Complete()
    {
        for (int d = 0; d < _detectors.Length; d++)
        {
            if (_disabled[d])
            {
                continue;
            }

            _current = d;
            try
            {
                _detectors[d].Complete(this);
            }
            catch (Exception exception) when (!_failFast)
            {
                Disable(d, exception);
            }
        }

        _current = -1;
    }

    /// <summary>Returns every finding of every detector, disabled ones included, in the state of its last change.</summary>
    public List<Finding> CollectFindings()
    {
        var findings = new List<Finding>();
        foreach (IGradientDetector detector in _detectors)
        {
            try
            {
                findings.AddRange(detector.Findings);
            }
            catch (Exception exception) when (!_failFast)
            {
                Log.DetectorFailed(_logger, detector.Name, _step, exception);
            }
        }

        return findings;
    }

    public void Report(in FindingEvent findingEvent)
    {
        ArgumentNullException.ThrowIfNull(findingEvent.Finding);
        _onReport(findingEvent);
    }

    public void RequestSkipUpdate(string reason)
    {
        string name = _current >= 0 ? _detectors[_current].Name : "unknown";
        _onSkipRequest(name, reason ?? string.Empty);
    }

    private void Disable(int index, Exception exception)
    {
        _disabled[index] = true;
        DisabledCount++;
        Log.DetectorFailed(_logger, _detectors[index].Name, _step, exception);
    }
}
