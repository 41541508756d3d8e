using System.Net;
using Relay.Infrastructure;

namespace Relay.Publishing;

/// <summary>The unrouted queue's type: quorum by default; one that exists with another type is used as it is.</summary>
public sealed class UnroutedQueueTests
{
    [Fact]
    public async Task AnUnroutedQueueOfAnotherType_IsUsedAsItIs_WithAWarningNamingTheSetting()
    {
        // What an earlier Relay declared: a classic queue.
        string exchange = "relay-test-" + Guid.NewGuid().ToString("N")[..12];
        await using (var connection = await TestBroker.ConnectAsync("relay-tests-setup"))
        await using (var channel = await connection.CreateChannelAsync())
        {
            await channel.QueueDeclareAsync(exchange + ".unrouted", durable: true, exclusive: false, autoDelete: false);
        }

        await using var relay = await RelayServer.StartAsync(settings => settings["Relay:RabbitMq:Exchange"] = exchange);
        using var callback = await relay.PostCallbackAsync(CallbackForms.Success("beside-a-classic-queue"));

        Assert.Equal(HttpStatusCode.OK, callback.StatusCode);
        Assert.Equal(HttpStatusCode.OK, await relay.ReadinessAsync());
    }
}
