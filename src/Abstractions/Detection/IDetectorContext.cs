namespace GradDiag;

/// <summary>Receives what a detector decides while it observes a step.</summary>
public interface IDetectorContext
{
    /// <summary>Reports that a finding opened, closed, or was observed once.</summary>
    void Report(in FindingEvent findingEvent);

    /// <summary>Asks the monitor's non-finite guard to skip this step's optimizer update.</summary>
    /// <param name="reason">Why, for the log.</param>
    void RequestSkipUpdate(string reason);
}
