using System.Net;
using Microsoft.Extensions.Logging.Testing;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;
using Relay.Infrastructure;

namespace Relay.Archive;

/// <summary>The archive stream keeps every event Relay publishes, with the retention it is configured for.</summary>
public sealed class ArchiveTests
{
    [Fact]
    public async Task EveryPublishedEvent_IsKeptInTheArchiveStream_WithItsRoutingKey()
    {
        await using var relay = await RelayServer.StartAsync();

        for (int i = 0; i < 3; i++)
        {
            using var response = await relay.PostCallbackAsync(CallbackForms.Success($"archived-{i}"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        using (var failed = await relay.PostCallbackAsync(CallbackForms.WithErrors()))
        {
            Assert.Equal(HttpStatusCode.OK, failed.StatusCode);
        }

        var archived = await ArchiveStream.ReadAsync(relay.Exchange, expected: 4);
        Assert.Equal(["callback.ok", "callback.ok", "callback.ok", "callback.has-errors"], archived.Select(message => message.RoutingKey));
        Assert.Equal(4, archived.Select(message => message.MessageId).Distinct().Count());
        Assert.All(archived, message => Assert.Equal(DeliveryModes.Persistent, message.DeliveryMode));
    }

    [Theory]
    [InlineData(null, null, "30D", 21474836480L)]
    [InlineData("02:00:00", "1073741824", "2h", 1073741824L)]
    [InlineData("7.00:00:00", null, "7D", 21474836480L)]
    public async Task Stream_IsDeclaredWithTheConfiguredRetention(string? maxAge, string? maxBytes, string brokerAge, long brokerBytes)
    {
        await using var relay = await RelayServer.StartAsync(settings =>
        {
            settings["Relay:Archive:MaxAge"] = maxAge;
            settings["Relay:Archive:MaxBytes"] = maxBytes;
        });

        // The broker accepts a declaration only when it is equivalent to the stream's own arguments.
        await DeclareAsync(relay.Exchange, brokerAge, brokerBytes);
        var refused = await Assert.ThrowsAsync<OperationInterruptedException>(() => DeclareAsync(relay.Exchange, "1D", brokerBytes));
        Assert.Equal((ushort)406, refused.ShutdownReason?.ReplyCode);
    }

    [Fact]
    public async Task ExistingStreamWithOtherRetention_IsUsedAsItIs_WithAWarning()
    {
        string exchange = "relay-test-" + Guid.NewGuid().ToString("N")[..12];
        await using (var connection = await TestBroker.ConnectAsync("relay-tests-archive"))
        await using (var channel = await connection.CreateChannelAsync())
        {
            await channel.QueueDeclareAsync(ArchiveStream.Of(exchange), durable: true, exclusive: false, autoDelete: false,
                arguments: new Dictionary<string, object?> { ["x-queue-type"] = "stream", ["x-max-age"] = "1D" });
        }

        await using var relay = await RelayServer.StartAsync(
            settings => settings["Relay:RabbitMq:Exchange"] = exchange,
            services => services.Logging.AddFakeLogging());

        using var response = await relay.PostCallbackAsync(CallbackForms.Success("into-an-older-stream"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var archived = Assert.Single(await ArchiveStream.ReadAsync(exchange, expected: 1));
        Assert.Equal("callback.ok", archived.RoutingKey);
        var warning = Assert.Single(relay.Services.GetRequiredService<FakeLogCollector>().GetSnapshot(), log => log.Id.Id == 3010);
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Contains("Relay:Archive:MaxAge", warning.Message, StringComparison.Ordinal);
        await DeclareAsync(exchange, "1D", brokerBytes: null);
    }

    [Fact]
    public async Task Disabled_DeclaresNoStream_AndUnroutedEventsStayInTheUnroutedQueue()
    {
        await using var relay = await RelayServer.StartAsync(settings => settings["Relay:Archive:Enabled"] = "false");

        using var response = await relay.PostCallbackAsync(CallbackForms.Success("no-archive"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await using var connection = await TestBroker.ConnectAsync("relay-tests-archive");
        await using (var channel = await connection.CreateChannelAsync())
        {
            var missing = await Assert.ThrowsAsync<OperationInterruptedException>(() => channel.QueueDeclarePassiveAsync(ArchiveStream.Of(relay.Exchange)));
            Assert.Equal((ushort)404, missing.ShutdownReason?.ReplyCode);
        }

        await using var unrouted = await connection.CreateChannelAsync();
        var kept = await unrouted.BasicGetAsync(relay.Exchange + ".unrouted", autoAck: true);
        Assert.NotNull(kept);
        Assert.Equal("callback.ok", kept.RoutingKey);
    }

    private static async Task DeclareAsync(string exchange, string brokerAge, long? brokerBytes)
    {
        var arguments = new Dictionary<string, object?> { ["x-queue-type"] = "stream", ["x-max-age"] = brokerAge };
        if (brokerBytes is { } bytes)
        {
            arguments["x-max-length-bytes"] = bytes;
        }

        await using var connection = await TestBroker.ConnectAsync("relay-tests-archive");
        await using var channel = await connection.CreateChannelAsync();
        await channel.QueueDeclareAsync(ArchiveStream.Of(exchange), durable: true, exclusive: false, autoDelete: false, arguments: arguments);
    }
}
