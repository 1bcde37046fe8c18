using GradDiag.Writers.Protocol;

namespace GradDiag.Writers.Reading;

/// <summary>Receives the decoded records of an event file from <see cref="EventFileReader"/>, in file order.</summary>
internal interface IEventConsumer
{
    /// <summary>Gets a value indicating whether plain scalar events may arrive through <see cref="OnScalar"/> instead of <see cref="OnEvent"/>.</summary>
    bool AcceptsScalars { get; }

    /// <summary>Receives Event{wall_time, step, summary{value{tag, simple_value}}}; <paramref name="tag"/> is valid only during the call.</summary>
    void OnScalar(long offset, double wallTime, long step, ReadOnlySpan<byte> tag, float value);

    /// <summary>Receives any other event.</summary>
    void OnEvent(long offset, Event message);
}
