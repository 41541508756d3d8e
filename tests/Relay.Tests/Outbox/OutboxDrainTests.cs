using Relay.Core.Events;
using Relay.Infrastructure;

namespace Relay.Outbox;

/// <summary><c>Relay outbox drain --path DIR</c>, on the native executable, over the real broker.</summary>
public sealed class OutboxDrainTests
{
    [Fact]
    public async Task Drain_ForwardsAnOrphanedOutbox_WithConfirms_AndExits0WhenNothingIsLeft()
    {
        await using var relay = await RelayProcess.StartAsync();
        await using var queue = await EventQueue.BindAsync(relay.Exchange);
        string orphan = Directory.CreateTempSubdirectory("relay-orphan-").FullName;
        // More than two of the drain's batches: they go out in order, each confirmed together.
        var ids = Fill(orphan, 150, withUnreadableRow: true);

        var (exitCode, output, error) = await relay.RunCommandAsync("outbox", "drain", "--path", orphan, $"--Relay:RabbitMq:Exchange={relay.Exchange}");

        Assert.True(exitCode == 0, error);
        Assert.Contains("150 delivered, 1 quarantined, 0 left", output, StringComparison.Ordinal);
        var received = new List<string?>();
        for (int i = 0; i < ids.Count; i++)
        {
            received.Add((await queue.ReceiveAsync()).MessageId);
        }

        Assert.Equal(ids, received);
        using var store = OutboxStore.Open(orphan);
        Assert.Equal(0, store.Measure().Entries);
        Assert.Equal(1, store.CountQuarantined());
    }

    [Fact]
    public async Task Drain_WithoutTheBroker_LeavesEveryEvent_AndExits1()
    {
        await using var relay = await RelayProcess.StartAsync();
        string orphan = Directory.CreateTempSubdirectory("relay-orphan-").FullName;
        Fill(orphan, 2, withUnreadableRow: false);

        var (exitCode, output, _) = await relay.RunCommandAsync("outbox", "drain", "--path", orphan,
            $"--Relay:RabbitMq:Uri=amqp://guest:guest@127.0.0.1:{FreePort.Next()}/");

        Assert.Equal(1, exitCode);
        Assert.Contains("0 delivered, 0 quarantined, 2 left", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Drain_OfAFolderWithoutAnOutbox_Exits2_NamingIt()
    {
        await using var relay = await RelayProcess.StartAsync();
        string empty = Directory.CreateTempSubdirectory("relay-no-outbox-").FullName;

        var (exitCode, _, error) = await relay.RunCommandAsync("outbox", "drain", "--path", empty);

        Assert.Equal(2, exitCode);
        Assert.Contains(empty, error, StringComparison.Ordinal);
    }

    /// <summary>An outbox as a Relay that died would leave it; returns the events' ids in order.</summary>
    private static List<string?> Fill(string folder, int events, bool withUnreadableRow)
    {
        using var store = OutboxStore.Open(folder);
        if (withUnreadableRow)
        {
            using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(folder, OutboxStore.FileName)};Pooling=False");
            connection.Open();
            using var insert = connection.CreateCommand();
            insert.CommandText = "INSERT INTO outbox (event_id, routing_key, event_time, stored_at, body) VALUES ('', 'callback.ok', 0, 0, x'00')";
            insert.ExecuteNonQuery();
        }

        var factory = new CallbackEventFactory(new CallbackEventOptions(RelayServer.EventSource, Core.Callbacks.ResultDetailXmlLimits.Default));
        var ids = new List<string?>();
        for (int i = 0; i < events; i++)
        {
            byte[] form = System.Text.Encoding.ASCII.GetBytes(CallbackForms.Success($"orphaned-{i}"));
            var callbackEvent = factory.Create(Core.Callbacks.CallbackFormReader.Read(form), form, DateTimeOffset.UtcNow);
            store.Append([callbackEvent], DateTimeOffset.UtcNow);
            ids.Add(callbackEvent.Id);
        }

        return ids;
    }
}
