using System.Net;
using Relay.Infrastructure;

namespace Relay.Publishing;

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class BrokerOutageGroup
{
    /// <summary>Tests that stop the broker run alone, after every other test.</summary>
    public const string Name = "broker outage";
}

[Collection(BrokerOutageGroup.Name)]
public sealed class BrokerOutageTests
{
    [Fact]
    public async Task BrokerStopped_CallbacksGet503AndNotReady_ThenRecoverWithoutRestart()
    {
        await using var relay = await RelayServer.StartAsync();
        using (var before = await relay.PostCallbackAsync(CallbackForms.Success("before-outage")))
        {
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        }

        try
        {
            await BrokerControl.StopAppAsync();
            await relay.WaitForReadinessAsync(HttpStatusCode.ServiceUnavailable, TimeSpan.FromSeconds(15));

            using var during = await relay.PostCallbackAsync(CallbackForms.Success("during-outage"));
            Assert.Equal(HttpStatusCode.ServiceUnavailable, during.StatusCode);
        }
        finally
        {
            await BrokerControl.StartAppAsync();
        }

        await relay.WaitUntilReadyAsync(TimeSpan.FromSeconds(30));
        await using var queue = await EventQueue.BindAsync(relay.Exchange);
        using var after = await relay.PostCallbackAsync(CallbackForms.Success("after-outage"));

        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        using var json = (await queue.ReceiveAsync()).Json();
        Assert.Equal("after-outage", json.RootElement.GetProperty("subject").GetString());
    }

    [Fact]
    public async Task BrokerDownAtStart_RelayStartsNotReady_ThenBecomesReady()
    {
        await BrokerControl.StopAppAsync();
        RelayServer? relay = null;
        try
        {
            relay = await RelayServer.StartAsync(waitUntilReady: false);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, await relay.ReadinessAsync());
            using var refused = await relay.PostCallbackAsync(CallbackForms.Success());
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        }
        finally
        {
            await BrokerControl.StartAppAsync();
        }

        await using (relay)
        {
            await relay.WaitUntilReadyAsync(TimeSpan.FromSeconds(30));
            using var accepted = await relay.PostCallbackAsync(CallbackForms.Success());
            Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        }
    }
}
