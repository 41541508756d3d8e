using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using OpenTelemetry.Trace;
using Relay.Infrastructure;
using Relay.Telemetry;

namespace Relay.Ens;

/// <summary>ENS's metrics by outcome and bounded category, and a batch's server span with its publishes.</summary>
public sealed class EnsTelemetryTests
{
    [Fact]
    public async Task Posts_AreCountedByOutcome_EventsByABoundedCategory_AndABatchIsOneServerSpanWithItsPublishes()
    {
        var spans = new List<Activity>();
        await using var relay = await RelayServer.StartAsync(
            settings => settings["Relay:Callbacks:Sources:test:Ens:SignatureKeys:0"] = EnsTests.Key,
            builder => builder.Services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(spans)));
        var meters = relay.Services.GetRequiredService<IMeterFactory>();
        using var notifications = new MetricCollector<long>(meters, RelayTelemetry.MeterName, "relay.ens.notifications");
        using var events = new MetricCollector<long>(meters, RelayTelemetry.MeterName, "relay.ens.events");

        await EnsTests.PostAsync(relay, EnsTests.Batch(3, "TransactionalSendEvents.EmailSent"), HttpStatusCode.OK);
        await EnsTests.PostAsync(relay, EnsTests.Batch(2, "Attacker.Chosen." + Guid.NewGuid()), HttpStatusCode.OK);
        await EnsTests.PostAsync(relay, EnsTests.Batch(1, "X"), HttpStatusCode.Unauthorized, signature: null);
        await EnsTests.PostAsync(relay, "[]", HttpStatusCode.BadRequest);

        Assert.Equal(2, Count(notifications, RelayTelemetry.Attributes.EnsOutcome, EnsOutcomes.Accepted));
        Assert.Equal(1, Count(notifications, RelayTelemetry.Attributes.EnsOutcome, EnsOutcomes.SignatureMissing));
        Assert.Equal(1, Count(notifications, RelayTelemetry.Attributes.EnsOutcome, EnsOutcomes.Malformed));
        Assert.Equal(3, Count(events, RelayTelemetry.Attributes.EnsCategory, "TransactionalSendEvents.EmailSent"));
        Assert.Equal(2, Count(events, RelayTelemetry.Attributes.EnsCategory, EnsCategories.Other));

        var server = await Eventually.ValueAsync(TimeSpan.FromSeconds(10), () => Task.FromResult(Snapshot(spans)),
            all => all.Any(span => span.Kind == ActivityKind.Server && (int?)span.GetTagItem(RelayTelemetry.Attributes.EnsEvents) == 3));
        var batch = Assert.Single(server, span => span.Kind == ActivityKind.Server && (int?)span.GetTagItem(RelayTelemetry.Attributes.EnsEvents) == 3);
        Assert.Equal("/marketing-cloud/ens/{token}", batch.GetTagItem("url.path"));
        Assert.Equal(RelayServer.EventSource, batch.GetTagItem(RelayTelemetry.Attributes.Source));
        Assert.Equal(3, Snapshot(spans).Count(span => span.Kind == ActivityKind.Producer && span.ParentSpanId == batch.SpanId));
        Assert.DoesNotContain(Snapshot(spans), span => span.TagObjects.Any(tag => tag.Value is string text && text.Contains(RelayServer.Token, StringComparison.Ordinal)));
    }

    private static List<Activity> Snapshot(List<Activity> spans)
    {
        lock (spans)
        {
            return [.. spans];
        }
    }

    private static long Count(MetricCollector<long> collector, string tag, string value) =>
        collector.GetMeasurementSnapshot().Where(m => m.Tags.TryGetValue(tag, out var found) && (string?)found == value).Sum(m => m.Value);
}
