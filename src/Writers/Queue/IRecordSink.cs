namespace GradDiag.Writers.Queue;

/// <summary>
/// The destination a <see cref="RecordQueue"/> drains into. Every member is called from the queue's single
/// background loop, never concurrently; any exception a member throws faults the writer.
/// </summary>
internal interface IRecordSink : IDisposable
{
    /// <summary>Encodes a record into the sink's buffer; may write the buffer when it grows large.</summary>
    void Append(in QueuedRecord record);

    /// <summary>Writes buffered records to the destination and flushes it to disk.</summary>
    void Flush();
}
