namespace Relay.Outbox;

/// <summary>
/// The file system the outbox lives on, as statvfs reports it. The outbox keeps <see cref="Reserve"/> of it
/// free: SQLite needs room to delete what was forwarded, checkpoint its WAL and give space back, and an
/// outbox that filled its volume to the last byte could do none of that (it could not even delete the
/// events it had forwarded, and sent them again and again).
/// </summary>
internal sealed class OutboxVolume
{
    private const long MiB = 1024 * 1024;

    /// <summary>
    /// What a stored body takes on disk in the database, at most, against its own size: events of 2 to 4 KB
    /// take a 4 KiB page each (about 2 times), from 10 KB on 1.0 to 1.12 times (measured in
    /// <c>OutboxSpaceTests</c>; docs say the figures). The WAL comes on top, until a checkpoint.
    /// </summary>
    public const double Overhead = 2.0;

    /// <summary>The WAL is truncated back to this after a checkpoint (<c>journal_size_limit</c>).</summary>
    public const long WalLimit = 64 * MiB;

    private readonly string _directory;

    public OutboxVolume(string directory)
    {
        _directory = directory;
        Size = new DriveInfo(directory).TotalSize;
        Reserve = Math.Clamp(Size / 16, MiB, 64 * MiB);
    }

    /// <summary>The volume's size.</summary>
    public long Size { get; }

    /// <summary>Room always left free for deletes, checkpoints and giving space back: a sixteenth of the volume, 1 to 64 MiB.</summary>
    public long Reserve { get; }

    /// <summary>Bytes free for Relay now.</summary>
    public long Free => new DriveInfo(_directory).AvailableFreeSpace;

    /// <summary>
    /// Whether <paramref name="bytes"/> more of bodies fit and leave the reserve free. A body goes into the
    /// WAL first and into the database at the next checkpoint, which grows the database by what the WAL
    /// holds (<paramref name="walBytes"/>) while the WAL keeps its size: room for both is needed.
    /// </summary>
    public bool Fits(long bytes, long walBytes) => Free - walBytes - (long)(bytes * Overhead) >= Reserve;

    /// <summary>The most bytes of bodies an outbox on this volume can hold, given what it holds now (<paramref name="outboxFileBytes"/>).</summary>
    public long Holds(long outboxFileBytes) => Math.Max(0, (long)((Free + outboxFileBytes - Reserve - WalLimit) / Overhead));
}
