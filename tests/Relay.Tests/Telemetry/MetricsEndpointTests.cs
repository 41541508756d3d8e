using System.Net;
using Relay.Infrastructure;

namespace Relay.Telemetry;

public sealed class MetricsEndpointTests : RelayServerTest
{
    [Fact]
    public async Task Metrics_OnAdmin_ExposeRelayAndOutboxInstruments()
    {
        using (var accepted = await Relay.PostCallbackAsync(CallbackForms.Success()))
        {
            Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        }

        using var admin = Relay.CreateAdminClient();
        string text = await admin.GetStringAsync("/metrics");

        Assert.Contains("relay_callbacks_total{", text, StringComparison.Ordinal);
        Assert.Contains("relay_callback_outcome=\"accepted\"", text, StringComparison.Ordinal);
        Assert.Contains("relay_publish_duration_seconds_bucket{", text, StringComparison.Ordinal);
        foreach (string name in new[] { "relay_outbox_depth", "relay_outbox_bytes", "relay_outbox_oldest_age_seconds",
            "relay_outbox_available", "relay_outbox_mode", "relay_outbox_mode_time_seconds_total" })
        {
            Assert.Contains(name, text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Metrics_OnPublic_AreNotServed()
    {
        using var client = Relay.CreateClient();

        using var response = await client.GetAsync("/metrics");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}
