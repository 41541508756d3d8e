using System.Net;
using Relay.Infrastructure;

namespace Relay.Outbox;

/// <summary>The outbox's files: the owner's alone, and a corrupt one set aside rather than a crash loop.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class OutboxFileTests
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    [Fact]
    public async Task OutboxFiles_AreReadableByTheirOwnerOnly()
    {
        await using var relay = await RelayServer.StartAsync();
        using (var callback = await relay.PostCallbackAsync(CallbackForms.Success("permissions")))
        {
            Assert.Equal(HttpStatusCode.OK, callback.StatusCode);
        }

        string folder = Path.Combine(relay.ContentRoot, "data", "outbox");
        Assert.Equal(OwnerOnly | UnixFileMode.UserExecute, File.GetUnixFileMode(folder));
        Assert.Equal(OwnerOnly, File.GetUnixFileMode(Path.Combine(folder, "outbox.db")));
        foreach (string companion in Directory.GetFiles(folder, "outbox.db-*"))
        {
            Assert.Equal(OwnerOnly, File.GetUnixFileMode(companion));
        }
    }

    [Fact]
    public async Task WorldReadableOutboxFromAnEarlierVersion_IsTightenedAtStart()
    {
        await using var relay = await RelayProcess.StartAsync(prepare: contentRoot =>
        {
            string folder = Directory.CreateDirectory(Path.Combine(contentRoot, "data", "outbox")).FullName;
            File.WriteAllBytes(Path.Combine(folder, "outbox.db"), []);
            File.SetUnixFileMode(Path.Combine(folder, "outbox.db"), OwnerOnly | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        });

        Assert.Equal(OwnerOnly, File.GetUnixFileMode(relay.OutboxFile));
    }

    [Fact]
    public async Task UnreadableOutboxRow_GoesToQuarantine_AndTheEventsBehindItAreDelivered()
    {
        string id = "";
        await using var relay = await RelayProcess.StartAsync(prepare: contentRoot =>
        {
            string folder = Directory.CreateDirectory(Path.Combine(contentRoot, "data", "outbox")).FullName;
            using var store = OutboxStore.Open(folder);
            using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(folder, OutboxStore.FileName)}"))
            {
                // What Relay never writes: a body stored as text, at the head of the outbox.
                connection.Open();
                using var insert = connection.CreateCommand();
                insert.CommandText = """
                    INSERT INTO outbox (event_id, routing_key, event_time, stored_at, traceparent, body)
                    VALUES ('not-an-event', 'callback.ok', 0, 0, NULL, 'some text')
                    """;
                insert.ExecuteNonQuery();
            }

            var factory = new Core.Events.CallbackEventFactory(new Core.Events.CallbackEventOptions(RelayServer.EventSource, Core.Callbacks.ResultDetailXmlLimits.Default));
            byte[] form = System.Text.Encoding.ASCII.GetBytes(CallbackForms.Success("behind-the-bad-row"));
            var behind = factory.Create(Core.Callbacks.CallbackFormReader.Read(form), form, DateTimeOffset.UtcNow);
            id = behind.Id;
            store.Append([behind], DateTimeOffset.UtcNow);
        });

        // Relay forwards its outbox as it starts, before any queue of the test could be bound: the archive has it.
        var delivered = Assert.Single(await ArchiveStream.ReadAsync(relay.Exchange, expected: 1, TimeSpan.FromSeconds(30)));
        Assert.Equal(id, delivered.MessageId);
        var (exitCode, output, _) = await relay.RunCommandAsync("quarantine", "list");
        Assert.Equal(0, exitCode);
        Assert.Contains("not-an-event", output, StringComparison.Ordinal);
        Assert.Contains("column body holds TEXT, not BLOB", output, StringComparison.Ordinal);
        Assert.Contains("4012", relay.Log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CorruptOutbox_IsSetAsideByteForByte_AndRelayStartsWithAFreshOne()
    {
        byte[] garbage = [.. System.Text.Encoding.ASCII.GetBytes("this is not a SQLite database "), .. Enumerable.Range(0, 8192).Select(i => (byte)i)];
        await using var relay = await RelayProcess.StartAsync(prepare: contentRoot =>
        {
            string folder = Directory.CreateDirectory(Path.Combine(contentRoot, "data", "outbox")).FullName;
            File.WriteAllBytes(Path.Combine(folder, "outbox.db"), garbage);
        });
        await using var queue = await EventQueue.BindAsync(relay.Exchange);

        using var callback = await relay.PostCallbackAsync(CallbackForms.Success("after-the-corruption"));

        Assert.Equal(HttpStatusCode.OK, callback.StatusCode);
        Assert.Equal("after-the-corruption", (await queue.ReceiveAsync()).Subject);
        string setAside = Assert.Single(Directory.GetFiles(Path.GetDirectoryName(relay.OutboxFile)!, "outbox.db.corrupt-*"));
        Assert.Equal(garbage, await File.ReadAllBytesAsync(setAside));
        Assert.Contains("crit", relay.Log, StringComparison.Ordinal);
        Assert.Contains(Path.GetFileName(setAside), relay.Log, StringComparison.Ordinal);
    }
}
