using System.Globalization;
using System.Net;
using Relay.Ens;
using Relay.Infrastructure;
using Relay.Publishing;

namespace Relay.Quarantine;

/// <summary>
/// An ENS event too large for the broker is quarantined whole like a callback's, and a stand-in with
/// <c>data.truncated</c> goes in its place, the rest of its batch flowing. The broker's limit is lowered
/// at run time, so this runs alone.
/// </summary>
[Collection(BrokerOutageGroup.Name)]
public sealed class OversizedEnsEventTests
{
    private const long BrokerDefaultLimit = 134217728;

    [Fact]
    public async Task AnOversizedEnsEvent_IsQuarantined_AndItsBatchIsAnswered200()
    {
        await BrokerControl.RunAsync("eval", "'application:set_env(rabbit, max_message_size, 100000).'");
        try
        {
            await using var relay = await EnsTests.StartAsync();
            await using var events = await EventQueue.BindAsync(relay.Exchange, "ens.#");
            string large = "{\"eventCategoryType\":\"TransactionalSendEvents.EmailSent\",\"info\":{\"html\":\"" + new string('x', 200_000) + "\"},\"definitionKey\":\"big\"}";
            string small = "{\"eventCategoryType\":\"TransactionalSendEvents.EmailSent\",\"definitionKey\":\"small\"}";
            await EnsTests.PostAsync(relay, "[" + large + "," + small + "]", HttpStatusCode.OK);

            var received = new[] { await events.ReceiveAsync(), await events.ReceiveAsync() };
            var standIn = Assert.Single(received, message => message.Body.Length < 10_000 && message.Json().RootElement.GetProperty("data").TryGetProperty("truncated", out _));
            using var json = standIn.Json();
            var data = json.RootElement.GetProperty("data");
            Assert.True(data.GetProperty("truncated").GetBoolean());
            Assert.Equal("big", data.GetProperty("definitionKey").GetString());
            Assert.Equal(1, relay.Services.GetRequiredService<Outbox.LocalOutbox>().Quarantined);
        }
        finally
        {
            await BrokerControl.RunAsync("eval", $"'application:set_env(rabbit, max_message_size, {BrokerDefaultLimit.ToString(CultureInfo.InvariantCulture)}).'");
        }
    }
}
