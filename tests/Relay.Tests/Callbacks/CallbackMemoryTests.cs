using System.Diagnostics.Metrics;
using System.Net;
using System.Text;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Relay.Infrastructure;
using Relay.Telemetry;

namespace Relay.Callbacks;

/// <summary>Relay:Callbacks:MaxBufferedBytes over real HTTPS and a real broker.</summary>
public sealed class CallbackMemoryTests
{
    [Fact]
    public async Task LargeCallbacksPastTheBudget_WaitForRoom_AndAreAllAnswered200AndDelivered()
    {
        await using var relay = await RelayServer.StartAsync(settings =>
        {
            settings["Relay:Callbacks:MaxBodyBytes"] = "2097152";
            settings["Relay:Callbacks:MaxBufferedBytes"] = "4194304";
        });
        await using var queue = await EventQueue.BindAsync(relay.Exchange);
        using var waits = new MetricCollector<long>(relay.Services.GetRequiredService<IMeterFactory>(), RelayTelemetry.MeterName, "relay.callbacks.buffer_waits");
        var budget = relay.Services.GetRequiredService<CallbackMemoryBudget>();

        // Twelve callbacks of 1.5 MB at once: the budget holds two or three of them at a time.
        const int count = 12;
        int results = 0;
        var forms = Enumerable.Range(0, count).Select(i => CallbackForms.WithManyResults($"large-{i}", 1_500_000, out results)).ToArray();
        var answers = await Task.WhenAll(forms.Select(async form =>
        {
            using var client = relay.CreateClient();
            client.Timeout = TimeSpan.FromMinutes(2);
            using var response = await client.PostAsync(relay.CallbackPath, new StringContent(form, Encoding.UTF8, "application/x-www-form-urlencoded"));
            return response.StatusCode;
        }));

        Assert.All(answers, answer => Assert.Equal(HttpStatusCode.OK, answer));
        Assert.True(waits.GetMeasurementSnapshot().Sum(measurement => measurement.Value) > 0, "no callback waited for room");
        Assert.Equal(0, budget.Held);
        var subjects = new List<string?>();
        for (int i = 0; i < count; i++)
        {
            var message = await queue.ReceiveAsync(TimeSpan.FromSeconds(30));
            using var json = message.Json();
            Assert.Equal(results, json.RootElement.GetProperty("data").GetProperty("results").GetArrayLength());
            subjects.Add(message.Subject);
        }

        Assert.Equal(Enumerable.Range(0, count).Select(i => $"large-{i}").Order(), subjects.Order());
    }
}
