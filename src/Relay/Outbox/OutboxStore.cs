using System.Runtime.InteropServices;
using Microsoft.Data.Sqlite;
using Relay.Core.Events;

namespace Relay.Outbox;

/// <summary>
/// The outbox on disk: one SQLite database in WAL mode with <c>synchronous=FULL</c>, so that a committed
/// append has been fsynced. Rows are keyed by an AUTOINCREMENT sequence: arrival order, never reused.
/// One connection, used by one caller at a time (the writer's group commits and the forwarder's reads
/// and deletes take turns on a lock; each is a short transaction).
/// </summary>
internal sealed class OutboxStore : IDisposable
{
    public const string FileName = "outbox.db";

    private readonly SqliteConnection _connection;
    private readonly Lock _lock = new();

    private OutboxStore(SqliteConnection connection) => _connection = connection;

    public string FilePath => _connection.DataSource;

    /// <summary>SQLite's codes for a file that is not a database, or a damaged one.</summary>
    private const int Corrupt = 11;
    private const int NotADatabase = 26;

    /// <summary>The outbox holds subscriber data: its folder and files are the owner's alone.</summary>
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Opens (or creates) the outbox in <paramref name="directory"/>; throws <see cref="SqliteException"/> for a corrupt one.</summary>
    public static OutboxStore Open(string directory)
    {
        string path = System.IO.Path.Combine(directory, FileName);
        CreatePrivately(directory, path);
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
        }.ToString());
        try
        {
            connection.Open();
            Initialize(connection);
        }
        catch
        {
            connection.Dispose();
            throw;
        }

        return new OutboxStore(connection);
    }

    /// <summary>Whether SQLite failed because the file is not a (sound) database, rather than for want of access.</summary>
    public static bool IsCorrupt(SqliteException exception) => exception.SqliteErrorCode is Corrupt or NotADatabase;

    /// <summary>
    /// Moves a corrupt outbox aside, byte for byte, with its WAL and shared-memory files: <c>outbox.db</c>
    /// becomes <c>outbox.db.corrupt-{UTC time}</c>. Returns the new name of the database file.
    /// </summary>
    public static string SetAside(string directory, DateTimeOffset now)
    {
        string path = System.IO.Path.Combine(directory, FileName);
        string suffix = ".corrupt-" + now.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", System.Globalization.CultureInfo.InvariantCulture);
        foreach (string companion in (string[])["", "-wal", "-shm"])
        {
            if (File.Exists(path + companion))
            {
                File.Move(path + companion, path + suffix + companion);
            }
        }

        return path + suffix;
    }

    private static void CreatePrivately(string directory, string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(directory);
            return;
        }

        Directory.CreateDirectory(directory, OwnerOnly | UnixFileMode.UserExecute);
        if (!File.Exists(path))
        {
            // SQLite creates the WAL and shared-memory files with the database file's permissions.
            using var created = new FileStream(path, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = OwnerOnly });
        }

        foreach (string companion in (string[])["", "-wal", "-shm"])
        {
            if (File.Exists(path + companion) && (File.GetUnixFileMode(path + companion) & ~OwnerOnly) != 0)
            {
                File.SetUnixFileMode(path + companion, OwnerOnly);
            }
        }
    }

    private static void Initialize(SqliteConnection connection)
    {
        // auto_vacuum takes effect only on a database without tables: a new outbox gives pages back from
        // the start, one made by an older Relay is converted by Reclaim the first time it is empty.
        Execute(connection, """
            PRAGMA auto_vacuum = INCREMENTAL;
            PRAGMA journal_mode = WAL;
            PRAGMA synchronous = FULL;
            PRAGMA busy_timeout = 5000;
            PRAGMA journal_size_limit = 67108864;
            CREATE TABLE IF NOT EXISTS outbox (
                seq          INTEGER PRIMARY KEY AUTOINCREMENT,
                event_id     TEXT    NOT NULL,
                routing_key  TEXT    NOT NULL,
                event_time   INTEGER NOT NULL,
                stored_at    INTEGER NOT NULL,
                traceparent  TEXT,
                body         BLOB    NOT NULL
            );
            CREATE TABLE IF NOT EXISTS quarantine (
                id             INTEGER PRIMARY KEY AUTOINCREMENT,
                event_id       TEXT    NOT NULL,
                routing_key    TEXT    NOT NULL,
                event_time     INTEGER NOT NULL,
                quarantined_at INTEGER NOT NULL,
                reason         TEXT    NOT NULL,
                traceparent    TEXT,
                body           BLOB    NOT NULL
            );
            """);
    }

    /// <summary>How many events, how many body bytes, and when the oldest was stored.</summary>
    public (long Entries, long Bytes, DateTimeOffset? Oldest) Measure()
    {
        lock (_lock)
        {
            using var command = _connection.CreateCommand();
            command.CommandText = "SELECT COUNT(*), COALESCE(SUM(LENGTH(body)), 0), MIN(stored_at) FROM outbox";
            using var reader = command.ExecuteReader();
            reader.Read();
            return (reader.GetInt64(0), reader.GetInt64(1),
                reader.IsDBNull(2) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(2)));
        }
    }

    /// <summary>
    /// The most bytes of event bodies <see cref="ReadOldest"/> returns at once: 16 MiB, far more than a
    /// batch of ordinary events and a few large ones, which the forwarder holds with their frames in the
    /// callbacks' memory while they are published.
    /// </summary>
    public const long MaxBatchBytes = 16L * 1024 * 1024;

    /// <summary>Appends the events in one transaction; returns once the commit is on disk.</summary>
    public void Append(IReadOnlyList<CallbackEvent> events, DateTimeOffset storedAt)
    {
        lock (_lock)
        {
            using var transaction = _connection.BeginTransaction();
            using var command = _connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = """
                INSERT INTO outbox (event_id, routing_key, event_time, stored_at, traceparent, body)
                VALUES ($id, $key, $time, $stored, $trace, $body)
                """;
            var id = command.Parameters.Add("$id", SqliteType.Text);
            var key = command.Parameters.Add("$key", SqliteType.Text);
            var time = command.Parameters.Add("$time", SqliteType.Integer);
            var stored = command.Parameters.Add("$stored", SqliteType.Integer);
            var trace = command.Parameters.Add("$trace", SqliteType.Text);
            var body = command.Parameters.Add("$body", SqliteType.Blob);
            stored.Value = storedAt.ToUnixTimeMilliseconds();
            foreach (var callbackEvent in events)
            {
                id.Value = callbackEvent.Id;
                key.Value = callbackEvent.RoutingKey;
                time.Value = callbackEvent.Time.ToUnixTimeMilliseconds();
                trace.Value = (object?)callbackEvent.TraceParent ?? DBNull.Value;
                body.Value = Blob(callbackEvent.Body);
                command.ExecuteNonQuery();
            }

            transaction.Commit();
        }
    }

    /// <summary>
    /// The oldest events, in arrival order. A row that is not what Relay writes (a column of another type,
    /// an empty id: an edit by hand, a bug, a damaged file) is not an event: it goes to
    /// <paramref name="unreadable"/>, with what is wrong with it and its size, and the rows behind it are read.
    /// At most <paramref name="maxBytes"/> of bodies come at once (always at least one event), so that a
    /// backlog of large events costs the reader a batch of them in memory, not the whole backlog.
    /// </summary>
    public List<OutboxEntry> ReadOldest(int limit, List<UnreadableRow> unreadable, long maxBytes = MaxBatchBytes)
    {
        lock (_lock)
        {
            using var command = _connection.CreateCommand();
            command.CommandText = """
                SELECT seq, event_id, routing_key, event_time, stored_at, traceparent, body, length(body)
                FROM outbox ORDER BY seq LIMIT $limit
                """;
            command.Parameters.AddWithValue("$limit", limit);
            using var reader = command.ExecuteReader();
            var entries = new List<OutboxEntry>();
            long bytes = 0;
            while (reader.Read())
            {
                long sequence = reader.GetInt64(0);
                if (RowProblem(reader) is { } problem)
                {
                    unreadable.Add(new UnreadableRow(sequence, problem, reader.IsDBNull(7) ? 0 : reader.GetInt64(7)));
                    continue;
                }

                bytes += reader.GetInt64(7);
                if (entries.Count > 0 && bytes > maxBytes)
                {
                    break;
                }

                entries.Add(new OutboxEntry(sequence, EventFrom(reader, traceColumn: 5, bodyColumn: 6),
                    DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4))));
            }

            return entries;
        }
    }

    /// <summary>What is wrong with an outbox row, or null when it holds an event as Relay writes it.</summary>
    private static string? RowProblem(SqliteDataReader reader)
    {
        (int Column, string Name, Type Type)[] expected =
        [
            (1, "event_id", typeof(string)), (2, "routing_key", typeof(string)), (3, "event_time", typeof(long)),
            (4, "stored_at", typeof(long)), (6, "body", typeof(byte[])),
        ];
        foreach (var (column, name, type) in expected)
        {
            if (reader.IsDBNull(column) || reader.GetFieldType(column) != type)
            {
                return $"column {name} holds {(reader.IsDBNull(column) ? "NULL" : StorageClass(reader.GetFieldType(column)))}, not {StorageClass(type)}";
            }
        }

        if (reader.GetString(1).Length == 0 || reader.GetString(2).Length == 0)
        {
            return "an empty event_id or routing_key";
        }

        return !reader.IsDBNull(5) && reader.GetFieldType(5) != typeof(string) ? "column traceparent is not TEXT" : null;
    }

    /// <summary>
    /// Deletes delivered events, one transaction per batch. A delete lost to a crash only means the event
    /// is delivered once more, with the same message-id, which consumers deduplicate.
    /// </summary>
    public void Delete(IReadOnlyList<long> sequences)
    {
        lock (_lock)
        {
            using var transaction = _connection.BeginTransaction();
            using var command = _connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = "DELETE FROM outbox WHERE seq = $seq";
            var seq = command.Parameters.Add("$seq", SqliteType.Integer);
            foreach (long sequence in sequences)
            {
                seq.Value = sequence;
                command.ExecuteNonQuery();
            }

            transaction.Commit();
        }
    }

    /// <summary>Keeps an event whole in quarantine; returns once the commit is on disk.</summary>
    public void Quarantine(CallbackEvent callbackEvent, string reason, DateTimeOffset at)
    {
        lock (_lock)
        {
            using var command = _connection.CreateCommand();
            command.CommandText = """
                INSERT INTO quarantine (event_id, routing_key, event_time, quarantined_at, reason, traceparent, body)
                VALUES ($id, $key, $time, $at, $reason, $trace, $body)
                """;
            command.Parameters.AddWithValue("$id", callbackEvent.Id);
            command.Parameters.AddWithValue("$key", callbackEvent.RoutingKey);
            command.Parameters.AddWithValue("$time", callbackEvent.Time.ToUnixTimeMilliseconds());
            command.Parameters.AddWithValue("$at", at.ToUnixTimeMilliseconds());
            command.Parameters.AddWithValue("$reason", reason);
            command.Parameters.AddWithValue("$trace", (object?)callbackEvent.TraceParent ?? DBNull.Value);
            command.Parameters.Add("$body", SqliteType.Blob).Value = Blob(callbackEvent.Body);
            command.ExecuteNonQuery();
        }
    }

    /// <summary>Moves an outbox row into quarantine, in one transaction: it stops blocking the events behind it.</summary>
    public void MoveToQuarantine(long sequence, string reason, DateTimeOffset at)
    {
        lock (_lock)
        {
            using var transaction = _connection.BeginTransaction();
            using var command = _connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = """
                INSERT INTO quarantine (event_id, routing_key, event_time, quarantined_at, reason, traceparent, body)
                SELECT event_id, routing_key, event_time, $at, $reason, traceparent, body FROM outbox WHERE seq = $seq;
                DELETE FROM outbox WHERE seq = $seq;
                """;
            command.Parameters.AddWithValue("$seq", sequence);
            command.Parameters.AddWithValue("$at", at.ToUnixTimeMilliseconds());
            command.Parameters.AddWithValue("$reason", reason);
            command.ExecuteNonQuery();
            transaction.Commit();
        }
    }

    /// <summary>
    /// Gives the space of forwarded events back to the file system, once the outbox holds none: the free
    /// pages are cut off the database's end and the WAL is checkpointed and truncated to nothing. Without it
    /// an outbox that filled its volume kept it full after draining, its WAL unable to be checkpointed into
    /// a file that would have had to grow. An outbox made without incremental auto-vacuum is converted here
    /// (a VACUUM, cheap while it holds no events).
    /// </summary>
    public void Reclaim()
    {
        lock (_lock)
        {
            using var mode = _connection.CreateCommand();
            mode.CommandText = "PRAGMA auto_vacuum";
            Execute(_connection, (long)mode.ExecuteScalar()! == IncrementalVacuum
                ? "PRAGMA incremental_vacuum"
                : "PRAGMA auto_vacuum = INCREMENTAL; VACUUM");
            Execute(_connection, "PRAGMA wal_checkpoint(TRUNCATE)");
        }
    }

    private const long IncrementalVacuum = 2;

    /// <summary>Commits a write of a few bytes: throws when the outbox still cannot be written.</summary>
    public void Probe(DateTimeOffset at)
    {
        lock (_lock)
        {
            using var command = _connection.CreateCommand();
            // Created here, not at open: an outbox from an older Relay on a full volume must still open.
            command.CommandText = """
                CREATE TABLE IF NOT EXISTS probe (id INTEGER PRIMARY KEY, at INTEGER NOT NULL);
                INSERT OR REPLACE INTO probe (id, at) VALUES (1, $at);
                """;
            command.Parameters.AddWithValue("$at", at.ToUnixTimeMilliseconds());
            command.ExecuteNonQuery();
        }
    }

    /// <summary>The WAL's size: what the next checkpoint may add to the database.</summary>
    public long WalBytes() => new FileInfo(FilePath + "-wal") is { Exists: true } wal ? wal.Length : 0;

    /// <summary>What the outbox takes on disk: the database with its WAL and shared-memory files.</summary>
    public long FileBytes() => FileBytes(System.IO.Path.GetDirectoryName(FilePath)!);

    /// <summary>What an outbox in <paramref name="directory"/> takes on disk, or 0 when there is none.</summary>
    public static long FileBytes(string directory)
    {
        string path = System.IO.Path.Combine(directory, FileName);
        return ((string[])["", "-wal", "-shm"]).Sum(companion => new FileInfo(path + companion) is { Exists: true } file ? file.Length : 0);
    }

    public long CountQuarantined()
    {
        lock (_lock)
        {
            using var command = _connection.CreateCommand();
            command.CommandText = "SELECT COUNT(*) FROM quarantine";
            return (long)command.ExecuteScalar()!;
        }
    }

    /// <summary>The quarantined events in the order they came, or the one with <paramref name="id"/>.</summary>
    public List<QuarantinedEvent> ReadQuarantined(long? id = null)
    {
        lock (_lock)
        {
            using var command = _connection.CreateCommand();
            command.CommandText = """
                SELECT id, event_id, routing_key, event_time, quarantined_at, reason, traceparent, body
                FROM quarantine WHERE $id IS NULL OR id = $id ORDER BY id
                """;
            command.Parameters.AddWithValue("$id", (object?)id ?? DBNull.Value);
            using var reader = command.ExecuteReader();
            var events = new List<QuarantinedEvent>();
            while (reader.Read())
            {
                var callbackEvent = EventFrom(reader, traceColumn: 6, bodyColumn: 7);
                events.Add(new QuarantinedEvent(reader.GetInt64(0), callbackEvent, reader.GetString(5),
                    DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4))));
            }

            return events;
        }
    }

    public bool DeleteQuarantined(long id)
    {
        lock (_lock)
        {
            using var command = _connection.CreateCommand();
            command.CommandText = "DELETE FROM quarantine WHERE id = $id";
            command.Parameters.AddWithValue("$id", id);
            return command.ExecuteNonQuery() == 1;
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _connection.Dispose();
        }
    }

    private static string StorageClass(Type type) =>
        type == typeof(long) ? "INTEGER" : type == typeof(double) ? "REAL" : type == typeof(string) ? "TEXT" : "BLOB";

    /// <summary>
    /// A body as SQLite's parameters take it, an array: the event's own when the body is all of one (as
    /// events are made), so that a large event is not copied once more on its way to disk.
    /// </summary>
    private static byte[] Blob(ReadOnlyMemory<byte> body) =>
        MemoryMarshal.TryGetArray(body, out var segment) && segment.Offset == 0 && segment.Count == segment.Array!.Length
            ? segment.Array
            : body.ToArray();

    /// <summary>
    /// An event from a row whose columns 1 to 3 are its id, routing key and time; what the row does not hold
    /// (its type, RequestID, ConversationID, status) is read back from the event's own JSON.
    /// </summary>
    private static CallbackEvent EventFrom(SqliteDataReader reader, int traceColumn, int bodyColumn)
    {
        byte[] body = reader.GetValue(bodyColumn) switch
        {
            byte[] bytes => bytes,
            // Only a row set aside as unreadable holds anything else; it is shown as what it holds.
            var other => System.Text.Encoding.UTF8.GetBytes(Convert.ToString(other, System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty),
        };
        CloudEventEnvelope.TryRead(body, out var envelope);
        return new CallbackEvent(
            Id: reader.GetString(1),
            RoutingKey: reader.GetString(2),
            Time: DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3)),
            Body: body,
            RequestId: envelope.RequestId,
            ConversationId: envelope.ConversationId,
            Status: envelope.OverallStatusCode)
        {
            Type = envelope.Type ?? CallbackEventOptions.EventType,
            TraceParent = reader.IsDBNull(traceColumn) ? null : reader.GetString(traceColumn),
        };
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
