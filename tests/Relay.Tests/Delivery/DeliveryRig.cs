using System.Text;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using Relay.Callbacks;
using Relay.Core.Callbacks;
using Relay.Core.Events;
using Relay.Infrastructure;
using Relay.Outbox;
using Relay.Publishing;

namespace Relay.Delivery;

/// <summary>
/// Delivery as Relay composes it (EventDelivery, the real outbox on disk, its forwarder) on a test clock,
/// with a scripted broker in place of RabbitMQ.
/// </summary>
internal sealed class DeliveryRig : IAsyncDisposable
{
    private readonly ServiceProvider _services;
    private readonly string _folder = Directory.CreateTempSubdirectory("relay-delivery-").FullName;
    private readonly CallbackEventFactory _factory = new(new CallbackEventOptions(RelayServer.EventSource, ResultDetailXmlLimits.Default));
    private bool _forwarding;
    private int _events;

    private DeliveryRig(long maxEntries, long maxBytes, long maxBufferedBytes)
    {
        Broker = new ScriptedPublisher(Clock);
        var services = new ServiceCollection()
            .AddLogging(logging => logging.AddFakeLogging())
            .AddMetrics()
            .AddSingleton<TimeProvider>(Clock)
            .AddSingleton<IEventPublisher>(Broker)
            .AddSingleton<IHostEnvironment>(new HostingEnvironment { ContentRootPath = _folder })
            .AddSingleton(Options.Create(new OutboxOptions { Path = _folder, MaxEntries = maxEntries, MaxBytes = maxBytes }))
            .AddSingleton(Options.Create(new CallbackOptions { MaxBufferedBytes = maxBufferedBytes, ReclaimAfterLargeCallbacks = false }))
            .AddSingleton<CallbackMetrics>()
            .AddSingleton<LargeCallbackReclaimer>()
            .AddSingleton<CallbackMemoryBudget>()
            .AddSingleton<IDeliveryMemory>(provider => provider.GetRequiredService<CallbackMemoryBudget>())
            .AddSingleton<OutboxMetrics>()
            .AddSingleton<LocalOutbox>()
            .AddSingleton<EventDelivery>()
            .AddSingleton<OutboxForwarder>();
        _services = services.BuildServiceProvider();
    }

    public ObservedClock Clock { get; } = new(new DateTimeOffset(2026, 12, 2, 12, 0, 0, TimeSpan.Zero));

    public ScriptedPublisher Broker { get; }

    public EventDelivery Delivery => _services.GetRequiredService<EventDelivery>();

    /// <summary>The callbacks' memory, which the forwarder holds its batches in.</summary>
    public CallbackMemoryBudget Memory => _services.GetRequiredService<CallbackMemoryBudget>();

    public LocalOutbox Outbox => _services.GetRequiredService<LocalOutbox>();

    /// <summary>The outbox's folder.</summary>
    public string Folder => _folder;

    /// <summary>What delivery, the outbox and the forwarder logged.</summary>
    public FakeLogCollector Logs => _services.GetRequiredService<FakeLogCollector>();

    /// <summary>An outbox open on disk, its forwarder not started yet (<see cref="StartForwardingAsync"/>).</summary>
    public static async Task<DeliveryRig> StartAsync(long maxEntries = 1_000, long maxBytes = 64L * 1024 * 1024,
        long maxBufferedBytes = 256L * 1024 * 1024)
    {
        var rig = new DeliveryRig(maxEntries, maxBytes, maxBufferedBytes);
        await rig.Outbox.StartAsync(CancellationToken.None);
        return rig;
    }

    public async Task StartForwardingAsync()
    {
        _forwarding = true;
        await _services.GetRequiredService<OutboxForwarder>().StartAsync(CancellationToken.None);
    }

    /// <summary>A callback's event with an id of its own, its body at least <paramref name="bytes"/> long.</summary>
    public CallbackEvent NewEvent(int bytes = 0)
    {
        string requestId = $"00000000-0000-4000-8000-{Interlocked.Increment(ref _events):D12}";
        string form = bytes == 0 ? CallbackForms.Success(requestId) : CallbackForms.WithManyResults(requestId, bytes, out _);
        byte[] body = Encoding.ASCII.GetBytes(form);
        return _factory.Create(CallbackFormReader.Read(body), body, Clock.GetUtcNow(), traceParent: null);
    }

    /// <summary>Waits (10 seconds at most, in real time) until the outbox is empty and Relay publishes directly again.</summary>
    public async Task WaitUntilDrainedAsync()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!Outbox.IsEmpty || Delivery.InOutboxMode)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"the outbox holds {Outbox.Depth} events, outbox mode {Delivery.InOutboxMode}");
            }

            await Task.Delay(10);
        }
    }

    public async ValueTask DisposeAsync()
    {
        // A test that failed with the broker stalled leaves the forwarder waiting on its answers.
        Broker.Resume();
        if (_forwarding)
        {
            await _services.GetRequiredService<OutboxForwarder>().StopAsync(CancellationToken.None);
        }

        await Outbox.StopAsync(CancellationToken.None);
        await _services.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }
}
