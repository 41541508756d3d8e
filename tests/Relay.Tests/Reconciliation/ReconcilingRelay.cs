using System.Net;
using System.Text;
using RabbitMQ.Client;
using Relay.Infrastructure;

namespace Relay.Reconciliation;

/// <summary>A Relay with reconciliation on, against the Marketing Cloud stand-in, with a consumer's queue on its exchange.</summary>
internal sealed class ReconcilingRelay : IAsyncDisposable
{
    private ReconcilingRelay(RelayServer relay, MarketingCloudStandIn marketingCloud, EventQueue events)
    {
        Relay = relay;
        MarketingCloud = marketingCloud;
        Events = events;
    }

    public RelayServer Relay { get; }

    public MarketingCloudStandIn MarketingCloud { get; }

    public EventQueue Events { get; }

    public string ExpectationsQueue => Relay.Exchange + ".expectations";

    /// <summary>Grace and RetryInterval of one second, MaxAge of <paramref name="maxAge"/>.</summary>
    public static async Task<ReconcilingRelay> StartAsync(string maxAge = "00:00:30", Action<Dictionary<string, string?>>? configure = null)
    {
        var marketingCloud = await MarketingCloudStandIn.StartAsync();
        var relay = await RelayServer.StartAsync(settings =>
        {
            marketingCloud.Configure(settings);
            Settings(settings, maxAge);
            configure?.Invoke(settings);
        });
        var events = await EventQueue.BindAsync(relay.Exchange);
        var reconciling = new ReconcilingRelay(relay, marketingCloud, events);
        await WaitForQueueAsync(relay.Exchange);

        // The queue exists a moment before POST /expectations can publish to it (503 until then).
        var reconciler = relay.Services.GetRequiredService<Reconciler>();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (reconciler.PublishChannel is not { IsOpen: true })
        {
            Assert.True(DateTime.UtcNow < deadline, "reconciliation did not open its publishing channel");
            await Task.Delay(50);
        }

        return reconciling;
    }

    public static void Settings(Dictionary<string, string?> settings, string maxAge)
    {
        settings["Relay:Reconciliation:Enabled"] = "true";
        settings["Relay:Reconciliation:Grace"] = "00:00:01";
        settings["Relay:Reconciliation:RetryInterval"] = "00:00:01";
        settings["Relay:Reconciliation:MaxAge"] = maxAge;
        settings["Relay:Reconciliation:RequestTimeout"] = "00:00:03";
    }

    /// <summary>Waits until reconciliation has declared the expectations queue.</summary>
    public static async Task WaitForQueueAsync(string exchange)
    {
        await using var connection = await TestBroker.ConnectAsync("relay-tests-producer");
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            await using var channel = await connection.CreateChannelAsync();
            try
            {
                await channel.QueueDeclarePassiveAsync(exchange + ".expectations");
                return;
            }
            catch (RabbitMQ.Client.Exceptions.OperationInterruptedException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
        }
    }

    /// <summary>Registers as a producer would: a message on the expectations queue through the default exchange.</summary>
    public async Task PublishExpectationAsync(string json)
    {
        await using var connection = await TestBroker.ConnectAsync("relay-tests-producer");
        await using var channel = await connection.CreateChannelAsync(new CreateChannelOptions(true, true));
        await channel.BasicPublishAsync(string.Empty, ExpectationsQueue, mandatory: true,
            new BasicProperties { DeliveryMode = DeliveryModes.Persistent, ContentType = "application/json" }, Encoding.UTF8.GetBytes(json));
    }

    public Task PublishExpectationAsync(string requestId, string? respondWhen) =>
        PublishExpectationAsync(Expectation(requestId, respondWhen));

    public static string Expectation(string requestId, string? respondWhen = null) => respondWhen is null
        ? $$"""{"source":"test","requestId":"{{requestId}}"}"""
        : $$"""{"source":"test","requestId":"{{requestId}}","respondWhen":"{{respondWhen}}"}""";

    public async Task<(HttpStatusCode Status, string Body)> PostExpectationsAsync(string json, string contentType = "application/json")
    {
        using var admin = Relay.CreateAdminClient();
        using var content = new StringContent(json, Encoding.UTF8);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(contentType);
        using var response = await admin.PostAsync("/expectations", content);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>Events until none arrives for <paramref name="quiet"/>.</summary>
    public async Task<List<ReceivedMessage>> EventsUntilQuietAsync(TimeSpan quiet)
    {
        var received = new List<ReceivedMessage>();
        while (true)
        {
            try
            {
                received.Add(await Events.ReceiveAsync(quiet));
            }
            catch (TimeoutException)
            {
                return received;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Events.DisposeAsync();
        await Relay.DisposeAsync();
        await MarketingCloud.DisposeAsync();
    }
}
