namespace Relay.Replay;

/// <summary>What a replay did, counted as it goes.</summary>
internal sealed class ReplaySummary
{
    private long _published;
    private long _returned;

    /// <summary>Events read from the archive.</summary>
    public long Read { get; set; }

    /// <summary>Of those, the ones the filters chose.</summary>
    public long Matched { get; set; }

    /// <summary>Archived copies of an earlier replay to the exchange, never replayed again.</summary>
    public long EarlierReplays { get; set; }

    /// <summary>Messages in the archive that are not an event Relay wrote (skipped).</summary>
    public long Unreadable { get; set; }

    /// <summary>Republished and confirmed by the broker.</summary>
    public long Published => Interlocked.Read(ref _published);

    /// <summary>Returned by the broker: no queue was bound for them at the target.</summary>
    public long Returned => Interlocked.Read(ref _returned);

    public void CountPublished() => Interlocked.Increment(ref _published);

    public void CountReturned() => Interlocked.Increment(ref _returned);

    public string Describe(bool dryRun)
    {
        string read = $"read {Read}"
            + (EarlierReplays > 0 ? $", skipped {EarlierReplays} copies of earlier replays" : string.Empty)
            + (Unreadable > 0 ? $", skipped {Unreadable} messages that are not Relay's events" : string.Empty);
        return dryRun
            ? $"{read}, matched {Matched} (dry run: nothing published)"
            : $"{read}, matched {Matched}, published {Published}" + (Returned > 0 ? $", returned {Returned} (no queue bound for their routing key)" : string.Empty);
    }
}
