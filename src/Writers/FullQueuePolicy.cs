namespace GradDiag.Writers;

/// <summary>What a writer does when its background queue is full.</summary>
public enum FullQueuePolicy
{
    /// <summary>The calling thread waits until the background writer makes room. Nothing is dropped.</summary>
    Wait = 0,

    /// <summary>
    /// Histograms are dropped once the queue is half full, keeping the rest for scalars and text; when the queue
    /// is completely full, scalars and text are dropped too. The calling thread never waits. Drops are counted.
    /// </summary>
    DropHistogramsFirst = 1,
}
