using Microsoft.Data.Sqlite;
using Relay.Events;

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

    public static OutboxStore Open(string directory)
    {
        Directory.CreateDirectory(directory);
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = System.IO.Path.Combine(directory, FileName),
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
        }.ToString());
        connection.Open();
        Execute(connection, """
            PRAGMA journal_mode = WAL;
            PRAGMA synchronous = FULL;
            PRAGMA busy_timeout = 5000;
            CREATE TABLE IF NOT EXISTS outbox (
                seq          INTEGER PRIMARY KEY AUTOINCREMENT,
                event_id     TEXT    NOT NULL,
                routing_key  TEXT    NOT NULL,
                event_time   INTEGER NOT NULL,
                stored_at    INTEGER NOT NULL,
                traceparent  TEXT,
                body         BLOB    NOT NULL
            );
            """);
        return new OutboxStore(connection);
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

    /// <summary>Appends the events in one transaction; returns once the commit is on disk.</summary>
    public void Append(IReadOnlyList<(CallbackEvent Event, string? TraceParent)> events, DateTimeOffset storedAt)
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
            foreach (var (callbackEvent, traceParent) in events)
            {
                id.Value = callbackEvent.Id;
                key.Value = callbackEvent.RoutingKey;
                time.Value = callbackEvent.Time.ToUnixTimeMilliseconds();
                trace.Value = (object?)traceParent ?? DBNull.Value;
                body.Value = callbackEvent.Body.ToArray();
                command.ExecuteNonQuery();
            }

            transaction.Commit();
        }
    }

    /// <summary>The oldest events, in arrival order.</summary>
    public List<OutboxEntry> ReadOldest(int limit)
    {
        lock (_lock)
        {
            using var command = _connection.CreateCommand();
            command.CommandText = """
                SELECT seq, event_id, routing_key, event_time, stored_at, traceparent, body
                FROM outbox ORDER BY seq LIMIT $limit
                """;
            command.Parameters.AddWithValue("$limit", limit);
            using var reader = command.ExecuteReader();
            var entries = new List<OutboxEntry>();
            while (reader.Read())
            {
                var callbackEvent = new CallbackEvent(
                    Id: reader.GetString(1),
                    RoutingKey: reader.GetString(2),
                    Time: DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3)),
                    Body: (byte[])reader.GetValue(6),
                    RequestId: null,
                    ConversationId: null,
                    Status: null,
                    IsInvalid: false);
                entries.Add(new OutboxEntry(reader.GetInt64(0), callbackEvent,
                    reader.IsDBNull(5) ? null : reader.GetString(5),
                    DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4))));
            }

            return entries;
        }
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

    public void Dispose()
    {
        lock (_lock)
        {
            _connection.Dispose();
        }
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
