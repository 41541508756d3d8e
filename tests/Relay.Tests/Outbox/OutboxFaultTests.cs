using System.Net;
using Microsoft.Data.Sqlite;
using Relay.Infrastructure;
using Relay.Publishing;
using Xunit.Abstractions;

namespace Relay.Outbox;

/// <summary>
/// Fault tests: whatever happens to the broker or to Relay, every callback that got a 200 reaches the
/// consumer. Each reports how many duplicates the fault produced (delivery is at-least-once).
/// </summary>
[Collection(BrokerOutageGroup.Name)]
public sealed class OutboxFaultTests(ITestOutputHelper output)
{
    private const int Load = 2000;
    private const int Clients = 8;

    [Fact]
    public async Task BrokerStoppedMidLoad_EveryAcceptedCallbackArrives()
    {
        await using var relay = await RelayServer.StartAsync();
        await using var queue = await DurableQueue.BindAsync(relay.Exchange);

        LoadResult load;
        try
        {
            load = await CallbackLoad.RunAsync(() => relay.CreateClient(), relay.CallbackPath, Load, Clients,
                (Load / 4, async () =>
                {
                    await BrokerControl.StopAppAsync();
                    await Task.Delay(TimeSpan.FromSeconds(2));
                    await BrokerControl.StartAppAsync();
                }));
        }
        finally
        {
            await BrokerControl.StartAppAsync();
        }

        await relay.WaitForEmptyOutboxAsync();
        AssertEveryAcceptedArrived(load, await queue.DrainAsync(load.Accepted.Count));

        // Group commit: concurrent requests share fsyncs.
        using var admin = relay.CreateAdminClient();
        string metrics = await admin.GetStringAsync("/metrics");
        double written = MetricValue(metrics, "relay_outbox_written_total");
        double commits = MetricValue(metrics, "relay_outbox_commits_total");
        output.WriteLine($"outbox: {written} events in {commits} commits");
        Assert.True(written > 0);
        Assert.True(commits < written, $"{written} events took {commits} commits");
    }

    [Fact]
    public async Task BrokerFrozen_TheForwarderWaitsForItsConfirms_RatherThanPublishingAgain()
    {
        // Direct publishes give up after ConfirmTimeout (their callbacks are waiting); the forwarder's need not.
        await using var relay = await RelayServer.StartAsync(settings => settings["Relay:RabbitMq:ConfirmTimeout"] = "00:00:00.500");
        await using var queue = await DurableQueue.BindAsync(relay.Exchange);
        string broker = await BrokerControl.VmProcessIdAsync();
        string[] requestIds = [.. Enumerable.Range(0, 5).Select(i => $"while-frozen-{i}")];

        var freeze = BrokerControl.FreezeAsync(broker, TimeSpan.FromSeconds(6));
        var answers = await Task.WhenAll(requestIds.Select(async requestId =>
        {
            using var response = await relay.PostCallbackAsync(CallbackForms.Success(requestId));
            return response.StatusCode;
        }));
        await freeze;

        Assert.All(answers, status => Assert.Equal(HttpStatusCode.OK, status));
        await relay.WaitForEmptyOutboxAsync();
        var delivered = await queue.DrainAsync(requestIds.Length, quiet: TimeSpan.FromSeconds(2));
        Assert.Equal(requestIds.Order(), delivered.Select(message => message.Subject!).Distinct().Order());

        // At most the direct attempt the broker took before it froze, and the forwarder's one publish.
        var copies = delivered.GroupBy(message => message.MessageId).Select(group => group.Count()).Max();
        output.WriteLine($"{delivered.Count} deliveries of {requestIds.Length} events; at most {copies} of one");
        Assert.InRange(copies, 1, 2);
    }

    [Fact]
    public async Task RelayKilledMidLoad_EveryAcceptedCallbackArrivesAfterRestart()
    {
        await using var relay = await RelayProcess.StartAsync();
        await using var queue = await DurableQueue.BindAsync(relay.Exchange);

        LoadResult load;
        try
        {
            // The broker goes away first, so the outbox holds events when Relay is killed.
            load = await CallbackLoad.RunAsync(() => relay.CreateClient(), relay.CallbackPath, Load, Clients,
                (Load / 4, BrokerControl.StopAppAsync),
                (Load / 2, () =>
                {
                    relay.Kill();
                    return Task.CompletedTask;
                }));
        }
        finally
        {
            await BrokerControl.StartAppAsync();
        }

        Assert.Equal(137, await relay.WaitForExitAsync(TimeSpan.FromSeconds(10)));
        await relay.RestartAsync();
        AssertEveryAcceptedArrived(load, await queue.DrainAsync(load.Accepted.Count));
        Assert.Contains("events waiting", relay.Log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RelayTerminatedMidLoad_DrainsAndLosesNothing()
    {
        await using var relay = await RelayProcess.StartAsync(settings => settings["Relay:Shutdown:DrainPeriod"] = "00:00:02");
        await using var queue = await DurableQueue.BindAsync(relay.Exchange);
        var readinessDuringDrain = HttpStatusCode.OK;

        var load = await CallbackLoad.RunAsync(() => relay.CreateClient(), relay.CallbackPath, Load, Clients,
            (Load / 2, async () =>
            {
                relay.Terminate();
                readinessDuringDrain = await Eventually.ValueAsync(TimeSpan.FromSeconds(2), async () => (await relay.ReadinessAsync()).Status,
                    status => status == HttpStatusCode.ServiceUnavailable);
                await relay.WaitForExitAsync(TimeSpan.FromSeconds(30));
            }));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, readinessDuringDrain);
        Assert.Equal(0, await relay.WaitForExitAsync(TimeSpan.FromSeconds(5)));
        Assert.True(load.Accepted.Count > Load / 2, $"the drain period should have kept accepting: {load}");
        AssertEveryAcceptedArrived(load, await queue.DrainAsync(load.Accepted.Count));
    }

    [Fact]
    public async Task BrokerMemoryAlarm_CallbacksKeepGetting200_AndAllArriveOnceItClears()
    {
        await using var relay = await RelayServer.StartAsync();
        await using var queue = await DurableQueue.BindAsync(relay.Exchange);

        LoadResult load;
        try
        {
            await BrokerControl.RunAsync("set_vm_memory_high_watermark", "absolute", "10MB");
            load = await CallbackLoad.RunAsync(() => relay.CreateClient(), relay.CallbackPath, 500, Clients);
            Assert.True(relay.OutboxDepth > 0, "the outbox should hold what the blocked broker could not confirm");
        }
        finally
        {
            await BrokerControl.RunAsync("set_vm_memory_high_watermark", "0.4");
        }

        Assert.Equal(500, load.Accepted.Count);
        await relay.WaitForEmptyOutboxAsync(TimeSpan.FromSeconds(60));
        AssertEveryAcceptedArrived(load, await queue.DrainAsync(load.Accepted.Count));
    }

    [Fact]
    public async Task OutboxFull_Refuses503WithoutCorruption_AndRecovers()
    {
        await using var relay = await RelayServer.StartAsync(settings => settings["Relay:Outbox:MaxEntries"] = "50");
        await using var queue = await DurableQueue.BindAsync(relay.Exchange);
        var accepted = new List<string>();
        int refused = 0;

        try
        {
            await BrokerControl.StopAppAsync();
            for (int i = 0; i < 80; i++)
            {
                using var response = await relay.PostCallbackAsync(CallbackForms.Success($"full-{i}"));
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    accepted.Add($"full-{i}");
                }
                else
                {
                    Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
                    refused++;
                }
            }

            Assert.Equal(50, accepted.Count);
            Assert.Equal(30, refused);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, await relay.ReadinessAsync());
        }
        finally
        {
            await BrokerControl.StartAppAsync();
        }

        await relay.WaitForEmptyOutboxAsync();
        Assert.Equal(HttpStatusCode.OK, await relay.ReadinessAsync());
        using (var afterwards = await relay.PostCallbackAsync(CallbackForms.Success("after-full")))
        {
            Assert.Equal(HttpStatusCode.OK, afterwards.StatusCode);
        }

        var delivered = await queue.DrainAsync(51);
        Assert.Equal([.. accepted, "after-full"], delivered.Select(message => message.Subject));
        Assert.Equal("ok", IntegrityCheck(Path.Combine(relay.ContentRoot, "data", "outbox", "outbox.db")));
    }

    private void AssertEveryAcceptedArrived(LoadResult load, List<DeliveredEvent> delivered)
    {
        var arrived = delivered.Select(message => message.Subject!).ToHashSet(StringComparer.Ordinal);
        var missing = load.Accepted.Where(id => !arrived.Contains(id)).ToList();
        int duplicates = delivered.Count - delivered.Select(message => message.MessageId).Distinct().Count();
        output.WriteLine($"{load}; delivered {delivered.Count}, missing {missing.Count}, duplicates {duplicates}");
        Assert.True(load.Accepted.Count >= Load / 4, $"too few callbacks were accepted to prove anything: {load}");
        Assert.Empty(missing);
    }

    private static double MetricValue(string metrics, string name) =>
        metrics.Split('\n')
            .Where(line => line.StartsWith(name + "{", StringComparison.Ordinal))
            .Sum(line => double.Parse(line[(line.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture));

    private static string IntegrityCheck(string file)
    {
        using var connection = new SqliteConnection($"Data Source={file};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA integrity_check";
        return (string)command.ExecuteScalar()!;
    }
}
