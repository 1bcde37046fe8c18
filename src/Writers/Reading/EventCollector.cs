using GradDiag.Writers.Protocol;

namespace GradDiag.Writers.Reading;

/// <summary>Collects every event of a file as a protobuf message, scalars included.</summary>
internal sealed class EventCollector : IEventConsumer
{
    public List<(long Offset, Event Event)> Events { get; } = [];

    public bool AcceptsScalars => false;

    public void OnScalar(long offset, double wallTime, long step, ReadOnlySpan<byte> tag, float value) =>
        throw new InvalidOperationException("Scalars arrive as events because AcceptsScalars is false.");

    public void OnEvent(long offset, Event message) => Events.Add((offset, message));
}
