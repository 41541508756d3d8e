using System.Globalization;
using System.Net;
using System.Text.Json;
using Relay.Infrastructure;
using Relay.Publishing;

namespace Relay.Quarantine;

/// <summary>
/// An event too large for the broker never blocks the ones behind it: a stand-in is published in its
/// place, the full event waits in quarantine, and <c>Relay quarantine</c> lists, exports and republishes
/// it. The broker's own limit is lowered at run time, so these run alone.
/// </summary>
[Collection(BrokerOutageGroup.Name)]
public sealed class OversizedEventTests
{
    private const long BrokerDefaultLimit = 134217728;

    [Fact]
    public async Task OverTheBrokersLimit_AStandInIsPublished_TheRestFlows_AndTheQuarantineCommandsWork()
    {
        await SetBrokerLimitAsync(100_000);
        try
        {
            await using var relay = await RelayServer.StartAsync();
            await using var queue = await EventQueue.BindAsync(relay.Exchange);

            await PostAsync(relay, Oversized("too-large"));
            await PostAsync(relay, CallbackForms.Success("behind-it"));

            var standIn = await queue.ReceiveAsync();
            Assert.Equal("too-large", standIn.Subject);
            AssertStandIn(standIn);
            Assert.Equal("behind-it", (await queue.ReceiveAsync()).Subject);
            Assert.Equal(1, relay.Services.GetRequiredService<Outbox.LocalOutbox>().Quarantined);

            var list = await QuarantineAsync(relay, "list");
            Assert.True(list.ExitCode == 0, list.Error);
            Assert.Contains(standIn.MessageId!, list.Output, StringComparison.Ordinal);
            Assert.Contains("too large for the broker", list.Output, StringComparison.Ordinal);
            Assert.Contains("1 quarantined", list.Output, StringComparison.Ordinal);

            var export = await QuarantineAsync(relay, "export", "1");
            Assert.True(export.ExitCode == 0, export.Error);
            using (var full = JsonDocument.Parse(export.Output))
            {
                Assert.Equal(standIn.MessageId, full.RootElement.GetProperty("id").GetString());
                Assert.Equal(JsonValueKind.Array, full.RootElement.GetProperty("data").GetProperty("results").ValueKind);
            }

            var stillTooLarge = await QuarantineAsync(relay, "retry", "1");
            Assert.Equal(1, stillTooLarge.ExitCode);
            Assert.Contains("still over the broker's max_message_size", stillTooLarge.Error, StringComparison.Ordinal);

            await SetBrokerLimitAsync(BrokerDefaultLimit);
            var retried = await QuarantineAsync(relay, "retry", "1");
            Assert.True(retried.ExitCode == 0, retried.Error);
            var republished = await queue.ReceiveAsync();
            Assert.Equal(standIn.MessageId, republished.MessageId);
            using (var json = republished.Json())
            {
                Assert.False(json.RootElement.GetProperty("data").TryGetProperty("truncated", out _));
            }

            Assert.Equal(0, relay.Services.GetRequiredService<Outbox.LocalOutbox>().Quarantined);
            Assert.Equal(1, (await QuarantineAsync(relay, "retry", "1")).ExitCode);
        }
        finally
        {
            await SetBrokerLimitAsync(BrokerDefaultLimit);
        }
    }

    [Fact]
    public async Task OverMaxMessageBytes_IsAStandInWithoutTryingTheBroker()
    {
        await using var relay = await RelayServer.StartAsync(settings => settings["Relay:RabbitMq:MaxMessageBytes"] = "65536");
        await using var queue = await EventQueue.BindAsync(relay.Exchange);

        await PostAsync(relay, Oversized("over-the-setting"));

        var standIn = await queue.ReceiveAsync();
        Assert.Equal("over-the-setting", standIn.Subject);
        AssertStandIn(standIn);
        Assert.Equal(1, relay.Services.GetRequiredService<Outbox.LocalOutbox>().Quarantined);
        Assert.Equal(0, relay.OutboxDepth);
    }

    [Fact]
    public async Task InTheOutbox_AnOversizedEvent_StopsBlockingTheEventsBehindIt()
    {
        await using var relay = await RelayServer.StartAsync(settings => settings["Relay:RabbitMq:MaxMessageBytes"] = "65536");
        await using var queue = await DurableQueue.BindAsync(relay.Exchange);
        try
        {
            await BrokerControl.StopAppAsync();
            await PostAsync(relay, Oversized("stored-too-large"));
            await PostAsync(relay, CallbackForms.Success("stored-behind-it"));
            Assert.Equal(2, relay.OutboxDepth);
        }
        finally
        {
            await BrokerControl.StartAppAsync();
        }

        await relay.WaitForEmptyOutboxAsync(TimeSpan.FromSeconds(60));
        var delivered = await queue.DrainAsync(expected: 2);
        Assert.Equal(["stored-too-large", "stored-behind-it"], delivered.Select(message => message.Subject).Distinct());
        Assert.Equal(1, relay.Services.GetRequiredService<Outbox.LocalOutbox>().Quarantined);
    }

    /// <summary>A callback whose event is about 150 KB: fifty results, each with a long message.</summary>
    private static string Oversized(string requestId)
    {
        string results = string.Concat(Enumerable.Range(0, 50).Select(i => string.Create(CultureInfo.InvariantCulture,
            $"<Results><StatusCode>Error</StatusCode><OrdinalID>{i}</OrdinalID><StatusMessage>{new string('m', 1500)}</StatusMessage></Results>")));
        return CallbackForms.Encode(("RequestID", requestId), ("ConversationID", ""), ("OverallStatusCode", "Has Errors"),
            ("StatusCode", "Has Errors"), ("StatusMessage", new string('s', 5000)), ("ErrorCode", ""), ("RequestType", "Asynchronous"),
            ("ResultType", "Asynchronous"), ("ResultDetailXML", "<CreateResponse>" + results + "</CreateResponse>"), ("SequenceCode", ""));
    }

    private static void AssertStandIn(ReceivedMessage standIn)
    {
        Assert.Equal("callback.has-errors", standIn.RoutingKey);
        Assert.True(standIn.Body.Length < 16_000, $"the stand-in has {standIn.Body.Length} bytes");
        using var json = standIn.Json();
        var data = json.RootElement.GetProperty("data");
        Assert.True(data.GetProperty("truncated").GetBoolean());
        Assert.False(data.TryGetProperty("results", out _));
        Assert.False(data.TryGetProperty("resultDetailXml", out _));
        Assert.Equal(1024, data.GetProperty("statusMessage").GetString()!.Length);
        Assert.Equal("Has Errors", data.GetProperty("overallStatusCode").GetString());
    }

    private static async Task PostAsync(RelayServer relay, string form)
    {
        using var response = await relay.PostCallbackAsync(form);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private static async Task<(int ExitCode, string Output, string Error)> QuarantineAsync(RelayServer relay, params string[] arguments)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        int exitCode = await RelayCommands.RunAsync(
            ["quarantine", .. arguments, $"--contentRoot={relay.ContentRoot}", $"--Relay:RabbitMq:Uri={TestBroker.Uri}",
                $"--Relay:RabbitMq:Exchange={relay.Exchange}", "--Logging:LogLevel:Default=Warning"],
            output, error);
        return (exitCode, output.ToString(), error.ToString());
    }

    private static Task SetBrokerLimitAsync(long bytes) =>
        BrokerControl.RunAsync("eval", $"'application:set_env(rabbit, max_message_size, {bytes.ToString(CultureInfo.InvariantCulture)}).'");
}
