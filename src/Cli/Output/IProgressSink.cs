namespace GradDiag.Cli.Output;

/// <summary>Receives the progress of one piece of work.</summary>
internal interface IProgressSink
{
    /// <summary>Sets the number of completed units and an optional short status, for example <c>loss 0.412</c>.</summary>
    void Report(long completed, string? status = null);
}
