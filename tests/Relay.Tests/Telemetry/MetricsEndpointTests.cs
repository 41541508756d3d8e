using System.Net;
using Relay.Infrastructure;

namespace Relay.Telemetry;

public sealed class MetricsEndpointTests : IAsyncLifetime
{
    private RelayServer _relay = null!;

    public async Task InitializeAsync() => _relay = await RelayServer.StartAsync();

    public async Task DisposeAsync() => await _relay.DisposeAsync();

    [Fact]
    public async Task Metrics_OnAdmin_ExposeRelayAndOutboxInstruments()
    {
        using (var accepted = await _relay.PostCallbackAsync(CallbackForms.Success()))
        {
            Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        }

        using var admin = _relay.CreateAdminClient();
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
        using var client = _relay.CreateClient();

        using var response = await client.GetAsync("/metrics");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}
