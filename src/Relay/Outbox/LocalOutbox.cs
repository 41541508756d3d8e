using System.Threading.Channels;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using Relay.Configuration;
using Relay.Core.Events;

namespace Relay.Outbox;

/// <summary>
/// The local durable outbox. Appends from concurrent requests share one transaction and one fsync (group
/// commit): while a commit is on its way to disk, the next appends gather behind it and go in the next
/// one. An append completes only once its commit is durable. Limits are enforced at append time by
/// reserving room, so concurrent requests cannot overshoot them together.
/// </summary>
internal sealed partial class LocalOutbox : BackgroundService
{
    private const int MaxBatch = 512;

    private readonly Channel<PendingAppend> _queue =
        Channel.CreateUnbounded<PendingAppend>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Lock _counters = new();
    private readonly AsyncSignal _appended = new();
    private readonly OutboxOptions _options;
    private readonly string _directory;
    private readonly TimeProvider _time;
    private readonly ILogger<LocalOutbox> _logger;
    private readonly OutboxMetrics _metrics;
    private OutboxStore? _store;
    private OutboxVolume? _volume;
    private long _entries;
    private long _bytes;
    private long _reservedEntries;
    private long _reservedBytes;
    private DateTimeOffset? _oldest;
    private volatile OutboxStatus _status;
    private long _refusedSinceLog;
    private volatile string? _lastWriteError;
    private long _lastRefusalLog = long.MinValue;

    public LocalOutbox(IOptions<OutboxOptions> options, IHostEnvironment environment, TimeProvider time,
        OutboxMetrics metrics, ILogger<LocalOutbox> logger)
    {
        _options = options.Value;
        _directory = System.IO.Path.GetFullPath(_options.Path, environment.ContentRootPath);
        _time = time;
        _logger = logger;
        _metrics = metrics;
    }

    public OutboxStatus Status => _status;

    public long Depth
    {
        get
        {
            lock (_counters)
            {
                return _entries;
            }
        }
    }

    public long Bytes
    {
        get
        {
            lock (_counters)
            {
                return _bytes;
            }
        }
    }

    public TimeSpan OldestAge
    {
        get
        {
            lock (_counters)
            {
                return _oldest is { } oldest && _entries > 0 ? _time.GetUtcNow() - oldest : TimeSpan.Zero;
            }
        }
    }

    /// <summary>
    /// Events kept whole in quarantine, for an operator (<c>Relay quarantine</c>, which may remove some from
    /// another process): counted in the database each time it is asked.
    /// </summary>
    public long Quarantined
    {
        get
        {
            try
            {
                return _store?.CountQuarantined() ?? 0;
            }
            catch (Exception ex) when (ex is SqliteException or ObjectDisposedException or InvalidOperationException)
            {
                return 0;
            }
        }
    }

    /// <summary>Nothing stored and nothing on its way to disk.</summary>
    public bool IsEmpty
    {
        get
        {
            lock (_counters)
            {
                return _entries == 0 && _reservedEntries == 0;
            }
        }
    }

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        long entries;
        long bytes;
        DateTimeOffset? oldest;
        try
        {
            (_store, entries, bytes, oldest) = OpenOrSetAside();
        }
        catch (Exception ex) when (ex is SqliteException or IOException or UnauthorizedAccessException)
        {
            throw new RelayConfigurationException(
                [$"{OutboxOptions.Section}:Path: cannot open the outbox in '{_directory}': {ex.Message}{VolumeFullHint()}"], ex);
        }

        lock (_counters)
        {
            (_entries, _bytes, _oldest) = (entries, bytes, oldest);
        }

        Log.Opened(_logger, _store.FilePath, entries);
        _volume = new OutboxVolume(_directory);
        CheckVolume(_volume);
        if (entries == 0)
        {
            TryReclaim();
        }

        _metrics.Initialize();
        if (entries > 0)
        {
            _appended.Set();
        }

        await base.StartAsync(cancellationToken);
    }

    /// <summary>
    /// Why an outbox may not open: SQLite needs a little room to open a database in WAL mode (its
    /// shared-memory file), and says only "disk I/O error" when there is none.
    /// </summary>
    private string VolumeFullHint()
    {
        try
        {
            long free = new DriveInfo(_directory).AvailableFreeSpace;
            return free < 1024 * 1024 ? $" (its volume is full: {free} bytes free; make room on it)" : string.Empty;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return string.Empty;
        }
    }

    /// <summary>
    /// Opens the outbox and measures it. A file SQLite cannot read as a database is not a reason to refuse
    /// every callback: it is set aside, byte for byte, for an operator to recover, and a fresh outbox starts.
    /// </summary>
    private (OutboxStore Store, long Entries, long Bytes, DateTimeOffset? Oldest) OpenOrSetAside()
    {
        try
        {
            return OpenAndMeasure();
        }
        catch (SqliteException ex) when (OutboxStore.IsCorrupt(ex))
        {
            string setAside = OutboxStore.SetAside(_directory, _time.GetUtcNow());
            string file = System.IO.Path.Combine(_directory, OutboxStore.FileName);
            Log.SetAside(_logger, file, setAside, ex.Message);
            return OpenAndMeasure();
        }
    }

    private (OutboxStore Store, long Entries, long Bytes, DateTimeOffset? Oldest) OpenAndMeasure()
    {
        var store = OutboxStore.Open(_directory);
        try
        {
            var (entries, bytes, oldest) = store.Measure();
            return (store, entries, bytes, oldest);
        }
        catch
        {
            store.Dispose();
            throw;
        }
    }

    /// <summary>Says at start what the volume can hold against the limits; a volume already too full refuses at once.</summary>
    private void CheckVolume(OutboxVolume volume)
    {
        long holds = volume.Holds(_store!.FileBytes());
        if (holds < _options.MaxBytes)
        {
            Log.VolumeSmallerThanLimit(_logger, _directory, volume.Size, volume.Free, holds, _options.MaxBytes, volume.Reserve);
        }

        if (!volume.Fits(0, _store!.WalBytes()))
        {
            _status = OutboxStatus.NoSpace;
            Log.NoSpace(_logger, _directory, volume.Free, volume.Reserve);
        }
    }

    /// <summary>Stores an event durably; completes once it is on disk, or at once when the outbox is full.</summary>
    public Task<AppendResult> AppendAsync(CallbackEvent callbackEvent)
    {
        int size = callbackEvent.Body.Length;
        lock (_counters)
        {
            if (_entries + _reservedEntries >= _options.MaxEntries || _bytes + _reservedBytes + size > _options.MaxBytes)
            {
                return Task.FromResult(Refuse(OutboxStatus.Full, AppendResult.Full));
            }

            // The volume may fill before the limits do (another file on it, a volume smaller than MaxBytes):
            // appends stop while the reserve is still free, so that what is stored can still be forwarded.
            if (!_volume!.Fits(_reservedBytes + size, _store!.WalBytes()))
            {
                return Task.FromResult(Refuse(OutboxStatus.NoSpace, AppendResult.Full));
            }

            _reservedEntries++;
            _reservedBytes += size;
        }

        var pending = new PendingAppend(callbackEvent);
        if (!_queue.Writer.TryWrite(pending))
        {
            Release(1, size);
            return Task.FromResult(AppendResult.Unwritable);
        }

        return pending.Completion;
    }

    /// <summary>The oldest waiting events, in arrival order.</summary>
    public List<OutboxEntry> ReadOldest(int limit)
    {
        var unreadable = new List<UnreadableRow>();
        var entries = _store!.ReadOldest(limit, unreadable);
        foreach (var row in unreadable)
        {
            // It never stalls the events behind it: set aside whole, for an operator to look at.
            string reason = QuarantineReasons.Unreadable(row);
            _store.MoveToQuarantine(row.Sequence, reason, _time.GetUtcNow());
            Forget(1, row.BodyBytes);
            Log.UnreadableQuarantined(_logger, row.Sequence, reason);
        }

        if (entries.Count > 0)
        {
            lock (_counters)
            {
                _oldest = entries[0].StoredAt;
            }
        }

        return entries;
    }

    /// <summary>Removes events the broker has confirmed; throws when the delete cannot be written.</summary>
    public void Remove(IReadOnlyList<OutboxEntry> delivered)
    {
        _store!.Delete([.. delivered.Select(entry => entry.Sequence)]);
        Forget(delivered.Count, delivered.Sum(entry => (long)entry.Event.Body.Length));
        _metrics.Drained(delivered.Count);
    }

    /// <summary>Keeps an event that can never be published as it is, whole, on disk; returns once it is there.</summary>
    public void Quarantine(CallbackEvent callbackEvent, string reason)
    {
        _store!.Quarantine(callbackEvent, reason, _time.GetUtcNow());
        Log.Quarantined(_logger, callbackEvent.Id, callbackEvent.RoutingKey, callbackEvent.Body.Length, reason);
    }

    /// <summary>Moves a stored event into quarantine, so that it stops blocking the events behind it.</summary>
    public void MoveToQuarantine(OutboxEntry entry, string reason)
    {
        _store!.MoveToQuarantine(entry.Sequence, reason, _time.GetUtcNow());
        Forget(1, entry.Event.Body.Length);
        Log.Quarantined(_logger, entry.Event.Id, entry.Event.RoutingKey, entry.Event.Body.Length, reason);
    }

    /// <summary>Rows that left the outbox: they no longer count against its limits, and once none is left its space goes back.</summary>
    private void Forget(long entries, long bytes)
    {
        bool empty;
        lock (_counters)
        {
            _entries -= entries;
            _bytes -= bytes;
            if (_status == OutboxStatus.Full)
            {
                _status = OutboxStatus.Available;
            }

            empty = _entries == 0;
        }

        if (empty)
        {
            TryReclaim();
        }
    }

    private void TryReclaim()
    {
        try
        {
            long before = _store!.FileBytes();
            _store.Reclaim();
            long after = _store.FileBytes();
            Log.Reclaimed(_logger, before, after);
        }
        catch (SqliteException ex)
        {
            // Tried again the next time the outbox empties; nothing stored depends on it.
            Log.ReclaimFailed(_logger, ex.Message);
        }
    }

    /// <summary>Waits until something is appended (or was since the last wait), at most <paramref name="timeout"/>.</summary>
    public Task<bool> WaitForAppendAsync(TimeSpan timeout, CancellationToken cancellationToken) =>
        _appended.WaitAsync(timeout, cancellationToken);

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(CommitAppendsAsync(), RecheckAsync(stoppingToken));

    private async Task CommitAppendsAsync()
    {
        var batch = new List<PendingAppend>(MaxBatch);
        var rows = new List<CallbackEvent>(MaxBatch);

        // Not tied to stoppingToken: on shutdown the queue is completed and drained, so that every request
        // still waiting on an append gets its answer.
        while (await _queue.Reader.WaitToReadAsync(CancellationToken.None))
        {
            batch.Clear();
            rows.Clear();
            long size = 0;
            while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var pending))
            {
                batch.Add(pending);
                rows.Add(pending.Event);
                size += pending.Event.Body.Length;
            }

            Commit(batch, rows, size);
        }
    }

    /// <summary>
    /// Every second while the outbox refuses: whether the condition has cleared (room on the volume again, a
    /// write that succeeds again), so that readiness follows the outbox as it is now rather than as the last
    /// append found it; and at most one summary line of refusals per <see cref="RefusalLogInterval"/>.
    /// </summary>
    private async Task RecheckAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(RecheckInterval, _time);
        using var stop = stoppingToken.Register(timer.Dispose);
        while (await timer.WaitForNextTickAsync(CancellationToken.None))
        {
            Recheck();
            LogRefusals();
        }
    }

    internal static readonly TimeSpan RecheckInterval = TimeSpan.FromSeconds(1);
    internal static readonly TimeSpan RefusalLogInterval = TimeSpan.FromSeconds(10);

    /// <summary>Clears a refusing status whose cause has gone.</summary>
    internal void Recheck()
    {
        var status = _status;
        if (status is OutboxStatus.Available or OutboxStatus.Full)
        {
            // Full clears as events leave the outbox.
            return;
        }

        try
        {
            if (!_volume!.Fits(_volume.Reserve, _store!.WalBytes()))
            {
                _status = OutboxStatus.NoSpace;
                return;
            }

            if (status == OutboxStatus.Unwritable)
            {
                _store!.Probe(_time.GetUtcNow());
            }
        }
        catch (Exception ex) when (ex is SqliteException or IOException or UnauthorizedAccessException)
        {
            return;
        }

        lock (_counters)
        {
            if (_status != status)
            {
                return;
            }

            _status = OutboxStatus.Available;
        }

        Log.Recovered(_logger, _directory, _volume.Free);
    }

    /// <summary>An append refused: the status says why until it clears; the log says so at most once an interval.</summary>
    private AppendResult Refuse(OutboxStatus status, AppendResult result)
    {
        _status = status;
        _metrics.Refused(result);
        Interlocked.Increment(ref _refusedSinceLog);
        LogRefusals();
        return result;
    }

    /// <summary>One line for the refusals since the last: at once after a quiet interval, then at most once an interval.</summary>
    private void LogRefusals()
    {
        long last = Interlocked.Read(ref _lastRefusalLog);
        long now = _time.GetTimestamp();
        if (Interlocked.Read(ref _refusedSinceLog) == 0
            || (last != long.MinValue && _time.GetElapsedTime(last, now) < RefusalLogInterval)
            || Interlocked.CompareExchange(ref _lastRefusalLog, now, last) != last)
        {
            return;
        }

        long count = Interlocked.Exchange(ref _refusedSinceLog, 0);
        if (count > 0)
        {
            Log.Refused(_logger, count, Describe(_status), _entries, _bytes, _volume?.Free ?? 0);
        }
    }

    /// <summary>Why the outbox refuses, in words for the log and the readiness answer.</summary>
    public string Describe(OutboxStatus status) => status switch
    {
        OutboxStatus.Full => string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"full: Relay:Outbox:MaxEntries {_options.MaxEntries} or MaxBytes {_options.MaxBytes} reached"),
        OutboxStatus.NoSpace => string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"its volume is nearly full: {_volume?.Free ?? 0} bytes free, {_volume?.Reserve ?? 0} kept in reserve"),
        OutboxStatus.Unwritable => "unwritable: " + (_lastWriteError ?? "the last write failed"),
        _ => "available",
    };

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _queue.Writer.TryComplete();
        await base.StopAsync(cancellationToken);
        _store?.Dispose();
    }

    public override void Dispose()
    {
        _appended.Dispose();
        base.Dispose();
    }

    private void Commit(List<PendingAppend> batch, List<CallbackEvent> rows, long size)
    {
        var now = _time.GetUtcNow();
        try
        {
            _store!.Append(rows, now);
        }
        catch (Exception ex) when (ex is SqliteException or IOException or UnauthorizedAccessException or ObjectDisposedException)
        {
            Release(batch.Count, size);
            _lastWriteError = ex.Message;
            foreach (var pending in batch)
            {
                pending.Complete(Refuse(OutboxStatus.Unwritable, AppendResult.Unwritable));
            }

            return;
        }

        lock (_counters)
        {
            // Stored before reservations are released, so the outbox never looks empty in between.
            _entries += batch.Count;
            _bytes += size;
            _reservedEntries -= batch.Count;
            _reservedBytes -= size;
            _oldest ??= now;
            if (_status == OutboxStatus.Unwritable)
            {
                _status = OutboxStatus.Available;
            }
        }

        _metrics.Written(batch.Count);
        foreach (var pending in batch)
        {
            pending.Complete(AppendResult.Stored);
        }

        _appended.Set();
    }

    private void Release(int entries, long size)
    {
        lock (_counters)
        {
            _reservedEntries -= entries;
            _reservedBytes -= size;
        }
    }

    private sealed class PendingAppend(CallbackEvent callbackEvent)
    {
        private readonly TaskCompletionSource<AppendResult> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public CallbackEvent Event { get; } = callbackEvent;


        public Task<AppendResult> Completion => _completion.Task;

        public void Complete(AppendResult result) => _completion.TrySetResult(result);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 4011, Level = LogLevel.Error, Message = "Event {EventId} ({RoutingKey}, {Bytes} bytes) is quarantined: {Reason}. 'Relay quarantine list' shows it")]
        public static partial void Quarantined(ILogger logger, string eventId, string routingKey, int bytes, string reason);

        [LoggerMessage(EventId = 4012, Level = LogLevel.Error, Message = "Outbox row {Sequence} is quarantined: {Reason}. 'Relay quarantine list' shows it")]
        public static partial void UnreadableQuarantined(ILogger logger, long sequence, string reason);

        [LoggerMessage(EventId = 4010, Level = LogLevel.Critical, Message = "The outbox {File} cannot be read as a database ({Reason}); it was set aside as {SetAside}, kept byte for byte, and a fresh outbox started. Recover its events as docs/operators/runbooks.md says (Corrupt outbox)")]
        public static partial void SetAside(ILogger logger, string file, string setAside, string reason);

        [LoggerMessage(EventId = 4001, Level = LogLevel.Information, Message = "Outbox open at {File}: {Entries} events waiting")]
        public static partial void Opened(ILogger logger, string file, long entries);

        [LoggerMessage(EventId = 4002, Level = LogLevel.Error, Message = "The outbox refused {Count} events since the last such line; it is {Reason} ({Entries} events, {Bytes} bytes stored, {Free} bytes free on its volume): callbacks that the broker cannot confirm are refused with 503")]
        public static partial void Refused(ILogger logger, long count, string reason, long entries, long bytes, long free);

        [LoggerMessage(EventId = 4009, Level = LogLevel.Information, Message = "The outbox in {Directory} takes events again ({Free} bytes free on its volume)")]
        public static partial void Recovered(ILogger logger, string directory, long free);

        [LoggerMessage(EventId = 4005, Level = LogLevel.Warning, Message = "The outbox's volume at {Directory} ({Size} bytes, {Free} free) holds about {Holds} bytes of events, less than Relay:Outbox:MaxBytes {MaxBytes}: the outbox refuses events when {Reserve} bytes are left free, before the limit")]
        public static partial void VolumeSmallerThanLimit(ILogger logger, string directory, long size, long free, long holds, long maxBytes, long reserve);

        [LoggerMessage(EventId = 4006, Level = LogLevel.Error, Message = "The outbox's volume at {Directory} has {Free} bytes free, less than the {Reserve} bytes kept in reserve: the outbox takes no events until there is room")]
        public static partial void NoSpace(ILogger logger, string directory, long free, long reserve);

        [LoggerMessage(EventId = 4007, Level = LogLevel.Information, Message = "The outbox is empty; its files went from {Before} to {After} bytes")]
        public static partial void Reclaimed(ILogger logger, long before, long after);

        [LoggerMessage(EventId = 4008, Level = LogLevel.Warning, Message = "The outbox is empty but could not give its space back ({Reason}); tried again when it next empties")]
        public static partial void ReclaimFailed(ILogger logger, string reason);
    }
}
