using System.Net;
using System.Numerics;
using Relay.Delivery;
using Relay.Infrastructure;
using Relay.Publishing;

namespace Relay.Callbacks;

/// <summary>Relay:Callbacks:MaxBufferedBytes with the broker frozen under a publish.</summary>
[Collection(BrokerOutageGroup.Name)]
public sealed class CallbackMemoryOutageTests
{
    [Fact]
    public async Task APublishThatTimedOut_KeepsItsFramesInTheBudget_UntilTheBrokerHasAnsweredForThem()
    {
        await using var relay = await RelayServer.StartAsync(settings => settings["Relay:RabbitMq:ConfirmTimeout"] = "00:00:00.300");
        await using var queue = await EventQueue.BindAsync(relay.Exchange);
        var budget = relay.Services.GetRequiredService<CallbackMemoryBudget>();
        string form = CallbackForms.WithManyResults("frames-held", 3_000_000, out _);

        // The event's size, from the same callback delivered once with the broker running.
        using (var first = await relay.PostCallbackAsync(form))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        int eventBytes = (await queue.ReceiveAsync(TimeSpan.FromSeconds(30))).Body.Length;
        long frames = (long)BitOperations.RoundUpToPowerOf2((uint)eventBytes);
        await WaitUntilAsync(() => budget.Held == 0, () => $"the first callback's bytes given back; held {budget.Held} B");

        // The broker frozen: the publish times out and the event is stored, but the broker client still
        // holds its frames, written or waiting to be, until the broker answers. The outbox's forwarder
        // reads the event back and publishes it again, holding its own copy and frames meanwhile.
        using (BrokerControl.Freeze(await BrokerControl.VmProcessIdAsync()))
        {
            using (var stored = await relay.PostCallbackAsync(form))
            {
                Assert.Equal(HttpStatusCode.OK, stored.StatusCode);
            }

            await WaitUntilAsync(() => budget.Held >= IDeliveryMemory.HeldFor(eventBytes) + frames,
                () => $"the timed-out publish's frames ({frames} B) held beside the forwarder's batch ({IDeliveryMemory.HeldFor(eventBytes)} B); held {budget.Held} B");
        }

        await relay.WaitForEmptyOutboxAsync(TimeSpan.FromSeconds(60));
        await WaitUntilAsync(() => budget.Held == 0, () => $"every publish answered, nothing held; held {budget.Held} B");
        Assert.Equal("frames-held", (await queue.ReceiveAsync(TimeSpan.FromSeconds(30))).Subject);
    }

    private static async Task WaitUntilAsync(Func<bool> condition, Func<string> what)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (!condition())
        {
            Assert.False(deadline.IsCancellationRequested, $"not within 20 s: {what()}");
            await Task.Delay(20);
        }
    }
}
