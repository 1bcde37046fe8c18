using System.Diagnostics.Metrics;

namespace GradDiag;

/// <summary>
/// The instruments of the <c>GradDiag</c> meter: global and per-parameter gradient norms and a findings counter.
/// </summary>
internal sealed class GradDiagMetrics : IDisposable
{
    public const string MeterName = "GradDiag";

    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly Histogram<double> _globalNorm;
    private readonly Histogram<double> _parameterNorm;
    private readonly Counter<long> _findings;

    public GradDiagMetrics(IMeterFactory? meterFactory)
    {
        if (meterFactory is null)
        {
            _meter = new Meter(MeterName);
            _ownsMeter = true;
        }
        else
        {
            // The factory owns and caches meters it creates, so this class must not dispose them.
            _meter = meterFactory.Create(new MeterOptions(MeterName));
        }

        _globalNorm = _meter.CreateHistogram<double>(
            "graddiag.gradient.global_norm", unit: "1", description: "The L2 norm over all parameters' gradients, per observed step.");
        _parameterNorm = _meter.CreateHistogram<double>(
            "graddiag.gradient.norm", unit: "1", description: "The L2 norm of one parameter's gradient, per observed step; tagged with the parameter.");
        _findings = _meter.CreateCounter<long>(
            "graddiag.findings", unit: "{finding}", description: "Findings opened and observations made; tagged with kind and severity.");
    }

    public void RecordStep(StepStatistics statistics)
    {
        if (_globalNorm.Enabled && !double.IsNaN(statistics.GlobalNorm))
        {
            _globalNorm.Record(statistics.GlobalNorm);
        }

        if (!_parameterNorm.Enabled)
        {
            return;
        }

        ReadOnlySpan<ParameterStatistics> perParameter = statistics.PerParameter;
        for (int i = 0; i < perParameter.Length; i++)
        {
            double norm = perParameter[i].L2Norm;
            if (!double.IsNaN(norm))
            {
                _parameterNorm.Record(norm, new KeyValuePair<string, object?>("parameter", statistics.Parameters[i].Name));
            }
        }
    }

    public void RecordFinding(Finding finding)
    {
        _findings.Add(
            1,
            new KeyValuePair<string, object?>("kind", finding.Kind.Value),
            new KeyValuePair<string, object?>("severity", SeverityName(finding.Severity)));
    }

    public void Dispose()
    {
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }

    private static string SeverityName(Severity severity) => severity switch
    {
        Severity.Information => "information",
        Severity.Warning => "warning",
        Severity.Error => "error",
        Severity.Critical => "critical",
        _ => "unknown",
    };
}
