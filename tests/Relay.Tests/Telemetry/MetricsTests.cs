using System.Diagnostics.Metrics;
using System.Net;
using System.Text;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Relay.Infrastructure;

namespace Relay.Telemetry;

/// <summary>Each outcome increments the right counter with the right tags, on this Relay's own meter.</summary>
public sealed class MetricsTests
{
    [Fact]
    public async Task Outcomes_IncrementTheirCountersWithTheirTags()
    {
        await using var relay = await RelayServer.StartAsync(settings => settings["Relay:Callbacks:MaxBodyBytes"] = "2048");
        var meters = relay.Services.GetRequiredService<IMeterFactory>();
        using var callbacks = new MetricCollector<long>(meters, RelayTelemetry.MeterName, "relay.callbacks");
        using var decisions = new MetricCollector<long>(meters, RelayTelemetry.MeterName, "relay.edge.decisions");
        using var publishes = new MetricCollector<double>(meters, RelayTelemetry.MeterName, "relay.publish.duration");
        using var client = relay.CreateClient();

        using (await relay.PostCallbackAsync(CallbackForms.Success()))
        using (await relay.PostCallbackAsync("no=request-id"))
        using (await client.PostAsync(relay.CallbackPath, new StringContent("{}", Encoding.UTF8, "application/json")))
        using (await client.PostAsync(relay.CallbackPath, new StringContent(new string('x', 4096), Encoding.UTF8, "application/x-www-form-urlencoded")))
        using (await client.GetAsync(relay.CallbackPath))
        {
        }

        Assert.Equal(EdgeAnswer.Closed, await EdgeAnswer.OfAsync(() => relay.PostCallbackAsync(CallbackForms.Success(), from: IPAddress.Parse("127.0.0.2"))));

        Assert.Equal(1, Count(callbacks, "relay.callback.outcome", "accepted"));
        Assert.Equal(1, Count(callbacks, "relay.callback.outcome", "accepted_invalid"));
        Assert.Equal(1, Count(callbacks, "relay.callback.outcome", "unsupported_media_type"));
        Assert.Equal(1, Count(callbacks, "relay.callback.outcome", "body_too_large"));
        Assert.Equal(1, Count(callbacks, "relay.callback.outcome", "method_not_allowed"));
        Assert.Equal(1, decisions.GetMeasurementSnapshot().Count(m =>
            Tag(m.Tags, "relay.edge.decision") == "refused" && Tag(m.Tags, "relay.edge.reason") == "not_allowlisted"
            && Tag(m.Tags, "relay.edge.stage") == "connection"));
        Assert.Equal(5, decisions.GetMeasurementSnapshot().Count(m =>
            Tag(m.Tags, "relay.edge.decision") == "allowed" && Tag(m.Tags, "relay.edge.stage") == "request"));
        Assert.Equal(3, decisions.GetMeasurementSnapshot().Count(m =>
            Tag(m.Tags, "relay.edge.decision") == "allowed" && Tag(m.Tags, "relay.edge.stage") == "connection"));

        var confirmed = publishes.GetMeasurementSnapshot().Where(m => Tag(m.Tags, "relay.publish.outcome") == "confirmed").ToList();
        Assert.Equal(2, confirmed.Count);
        Assert.All(confirmed, m => Assert.InRange(m.Value, 0, 2));
    }

    [Fact]
    public async Task BrokerDown_CallbackIsAcceptedThroughTheOutbox_AndCounted()
    {
        // Nothing listens on port 1: from this Relay's point of view the broker is down.
        await using var relay = await RelayServer.StartAsync(
            settings => settings["Relay:RabbitMq:Uri"] = "amqp://guest:guest@127.0.0.1:1/", waitUntilReady: false);
        var meters = relay.Services.GetRequiredService<IMeterFactory>();
        using var callbacks = new MetricCollector<long>(meters, RelayTelemetry.MeterName, "relay.callbacks");
        using var written = new MetricCollector<long>(meters, RelayTelemetry.MeterName, "relay.outbox.written");
        using var depth = new MetricCollector<long>(meters, RelayTelemetry.MeterName, "relay.outbox.depth");
        using var connected = new MetricCollector<int>(meters, RelayTelemetry.MeterName, "relay.broker.connected");
        using var mode = new MetricCollector<int>(meters, RelayTelemetry.MeterName, "relay.outbox.mode");

        using (var response = await relay.PostCallbackAsync(CallbackForms.Success()))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Equal(1, Count(callbacks, "relay.callback.outcome", "accepted"));
        Assert.Equal(1, written.GetMeasurementSnapshot().Sum(m => m.Value));
        depth.RecordObservableInstruments();
        connected.RecordObservableInstruments();
        mode.RecordObservableInstruments();
        Assert.Equal(1, depth.LastMeasurement!.Value);
        Assert.Equal(0, connected.LastMeasurement!.Value);
        Assert.Equal(1, mode.LastMeasurement!.Value);
    }

    private static long Count(MetricCollector<long> collector, string tag, string value) =>
        collector.GetMeasurementSnapshot().Where(m => Tag(m.Tags, tag) == value).Sum(m => m.Value);

    private static string? Tag(IReadOnlyDictionary<string, object?> tags, string name) =>
        tags.TryGetValue(name, out var value) ? value as string : null;
}
