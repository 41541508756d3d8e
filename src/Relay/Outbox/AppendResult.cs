namespace Relay.Outbox;

internal enum AppendResult
{
    /// <summary>Written and flushed to disk.</summary>
    Stored,

    /// <summary>Refused: <c>Relay:Outbox:MaxEntries</c> or <c>MaxBytes</c> reached.</summary>
    Full,

    /// <summary>The write failed (disk full, permissions, I/O error) or Relay is stopping.</summary>
    Unwritable,
}
