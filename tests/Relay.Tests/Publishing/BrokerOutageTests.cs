using System.Net;
using Relay.Infrastructure;

namespace Relay.Publishing;

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class BrokerOutageGroup
{
    /// <summary>Tests that stop or block the broker run alone, after every other test.</summary>
    public const string Name = "broker outage";
}

[Collection(BrokerOutageGroup.Name)]
public sealed class BrokerOutageTests
{
    [Fact]
    public async Task BrokerStopped_CallbacksGo200ThroughTheOutbox_AndArriveOnceItIsBack()
    {
        await using var relay = await RelayServer.StartAsync();
        await using var queue = await DurableQueue.BindAsync(relay.Exchange);
        using (var before = await relay.PostCallbackAsync(CallbackForms.Success("before-outage")))
        {
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        }

        try
        {
            await BrokerControl.StopAppAsync();
            using var during = await relay.PostCallbackAsync(CallbackForms.Success("during-outage"));
            Assert.Equal(HttpStatusCode.OK, during.StatusCode);
            Assert.Equal(1, relay.OutboxDepth);

            // Degraded, not unready: the outbox holds callbacks, so Relay still takes them.
            Assert.Equal(HttpStatusCode.OK, await relay.ReadinessAsync());
        }
        finally
        {
            await BrokerControl.StartAppAsync();
        }

        await relay.WaitForEmptyOutboxAsync();
        using var after = await relay.PostCallbackAsync(CallbackForms.Success("after-outage"));
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);

        var subjects = (await queue.DrainAsync(expected: 3)).Select(message => message.Subject).ToList();
        Assert.Equal(["before-outage", "during-outage", "after-outage"], subjects);
    }

    [Fact]
    public async Task BrokerDownAtStart_RelayStartsAndAcceptsThroughTheOutbox_ThenForwardsIntoTheArchive()
    {
        await BrokerControl.StopAppAsync();
        RelayServer? relay = null;
        try
        {
            relay = await RelayServer.StartAsync(waitUntilReady: false);
            Assert.Equal(HttpStatusCode.OK, await relay.ReadinessAsync());
            using var accepted = await relay.PostCallbackAsync(CallbackForms.Success("while-down"));
            Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        }
        finally
        {
            await BrokerControl.StartAppAsync();
        }

        await using (relay)
        {
            await relay.WaitForBrokerAsync();
            await relay.WaitForEmptyOutboxAsync();
            // The archive receives what the outbox forwards, whether or not a consumer queue was bound yet.
            var archived = Assert.Single(await ArchiveStream.ReadAsync(relay.Exchange, expected: 1));
            using var json = archived.Json();
            Assert.Equal("while-down", json.RootElement.GetProperty("subject").GetString());
        }
    }
}
