using System.Diagnostics.Metrics;
using System.Threading.Channels;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using Relay.Configuration;
using Relay.Events;

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
    private long _entries;
    private long _bytes;
    private long _reservedEntries;
    private long _reservedBytes;
    private DateTimeOffset? _oldest;
    private volatile OutboxStatus _status;

    public LocalOutbox(IOptions<OutboxOptions> options, IHostEnvironment environment, TimeProvider time,
        OutboxMetrics metrics, ILogger<LocalOutbox> logger)
    {
        _options = options.Value;
        _directory = System.IO.Path.GetFullPath(_options.Path, environment.ContentRootPath);
        _time = time;
        _logger = logger;
        _metrics = metrics;
        metrics.ObserveOutbox(this);
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
                [$"{OutboxOptions.Section}:Path: cannot open the outbox in '{_directory}': {ex.Message}"], ex);
        }

        lock (_counters)
        {
            (_entries, _bytes, _oldest) = (entries, bytes, oldest);
        }

        Log.Opened(_logger, _store.FilePath, entries);
        _metrics.Initialize();
        if (entries > 0)
        {
            _appended.Set();
        }

        await base.StartAsync(cancellationToken);
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

    /// <summary>Stores an event durably; completes once it is on disk, or at once when the outbox is full.</summary>
    public Task<AppendResult> AppendAsync(CallbackEvent callbackEvent)
    {
        int size = callbackEvent.Body.Length;
        lock (_counters)
        {
            if (_entries + _reservedEntries >= _options.MaxEntries || _bytes + _reservedBytes + size > _options.MaxBytes)
            {
                _status = OutboxStatus.Full;
                _metrics.Refused(AppendResult.Full);
                Log.Full(_logger, _entries, _bytes);
                return Task.FromResult(AppendResult.Full);
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

    /// <summary>Removes events the broker has confirmed.</summary>
    public void Remove(IReadOnlyList<OutboxEntry> delivered)
    {
        _store!.Delete([.. delivered.Select(entry => entry.Sequence)]);
        long size = delivered.Sum(entry => (long)entry.Event.Body.Length);
        lock (_counters)
        {
            _entries -= delivered.Count;
            _bytes -= size;
            if (_status == OutboxStatus.Full)
            {
                _status = OutboxStatus.Available;
            }
        }

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

    /// <summary>Rows that left the outbox other than by delivery: they no longer count against its limits.</summary>
    private void Forget(long entries, long bytes)
    {
        lock (_counters)
        {
            _entries -= entries;
            _bytes -= bytes;
            if (_status == OutboxStatus.Full)
            {
                _status = OutboxStatus.Available;
            }
        }
    }

    /// <summary>Waits until something is appended (or was since the last wait), at most <paramref name="timeout"/>.</summary>
    public Task<bool> WaitForAppendAsync(TimeSpan timeout, CancellationToken cancellationToken) =>
        _appended.WaitAsync(timeout, cancellationToken);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
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
            _status = OutboxStatus.Unwritable;
            Log.WriteFailed(_logger, batch.Count, _store?.FilePath, ex);
            foreach (var pending in batch)
            {
                _metrics.Refused(AppendResult.Unwritable);
                pending.Complete(AppendResult.Unwritable);
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

        [LoggerMessage(EventId = 4010, Level = LogLevel.Critical, Message = "The outbox {File} cannot be read as a database ({Reason}); it was set aside as {SetAside}, kept byte for byte, and a fresh outbox started. Recover its events as the README says")]
        public static partial void SetAside(ILogger logger, string file, string setAside, string reason);

        [LoggerMessage(EventId = 4001, Level = LogLevel.Information, Message = "Outbox open at {File}: {Entries} events waiting")]
        public static partial void Opened(ILogger logger, string file, long entries);

        [LoggerMessage(EventId = 4002, Level = LogLevel.Error, Message = "Outbox full ({Entries} events, {Bytes} bytes): callbacks that the broker cannot confirm are refused with 503")]
        public static partial void Full(ILogger logger, long entries, long bytes);

        [LoggerMessage(EventId = 4003, Level = LogLevel.Error, Message = "Outbox write of {Count} events to {File} failed: callbacks that the broker cannot confirm are refused with 503")]
        public static partial void WriteFailed(ILogger logger, int count, string? file, Exception exception);
    }
}
