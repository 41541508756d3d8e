using System.Net;
using Relay.Infrastructure;
using Relay.Outbox;
using Relay.Publishing;

namespace Relay.Deployment;

/// <summary>
/// The outbox on a size-limited volume (a small tmpfs, as a Kubernetes emptyDir with a sizeLimit or a small
/// persistent volume): filled by another file, or by the outbox itself, then freed or drained. Readiness
/// follows the outbox as it is now, nothing forwarded is sent twice, and the space comes back.
/// </summary>
[Collection(BrokerOutageGroup.Name)]
public sealed class OutboxVolumeTests
{
    private const long MiB = 1024 * 1024;

    [Fact]
    public async Task VolumeFilledByAnotherFile_Refuses503_ThenReadinessClearsWithinSecondsOfRoomComingBack()
    {
        using var volume = Tmpfs.Mount(16);
        await using var relay = await RelayServer.StartAsync(settings => settings["Relay:Outbox:Path"] = Path.Combine(volume.Path, "outbox"));
        try
        {
            await BrokerControl.StopAppAsync();
            string filler = volume.Fill();

            using (var refused = await relay.PostCallbackAsync(CallbackForms.Success("while-the-volume-is-full")))
            {
                Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            }

            Assert.Equal(HttpStatusCode.ServiceUnavailable, await relay.ReadinessAsync());
            File.Delete(filler);
        }
        finally
        {
            await BrokerControl.StartAppAsync();
        }

        await relay.WaitForBrokerAsync();
        using (var direct = await relay.PostCallbackAsync(CallbackForms.Success("after-room-came-back")))
        {
            Assert.Equal(HttpStatusCode.OK, direct.StatusCode);
        }

        // No later outbox write is needed for readiness to see that the outbox can take events again.
        await relay.WaitUntilReadyAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(OutboxStatus.Available, relay.Services.GetRequiredService<LocalOutbox>().Status);
    }

    [Fact]
    public async Task VolumeFullAtRestart_RefusesToStartWhenItCannotOpen_IsNotReadyWhileBelowItsReserve()
    {
        using var volume = Tmpfs.Mount(16);
        string directory = Path.Combine(volume.Path, "outbox");
        await using (await RelayServer.StartAsync(settings => settings["Relay:Outbox:Path"] = directory))
        {
            // The outbox exists on the volume, as after any earlier run.
        }

        // Full to the byte: SQLite cannot even open the outbox, and Relay says why rather than "disk I/O error" alone.
        string filler = volume.Fill();
        var refused = await Assert.ThrowsAsync<Configuration.RelayConfigurationException>(
            () => RelayServer.StartAsync(settings => settings["Relay:Outbox:Path"] = directory, waitUntilReady: false));
        Assert.Contains("its volume is full", refused.Message, StringComparison.Ordinal);
        File.Delete(filler);

        // Room to open, less than the reserve: running, not ready, until there is room.
        filler = volume.Fill(leaveFree: 256 * 1024);
        await using var relay = await RelayServer.StartAsync(settings => settings["Relay:Outbox:Path"] = directory, waitUntilReady: false);
        await relay.WaitForBrokerAsync();
        Assert.Equal(HttpStatusCode.ServiceUnavailable, await relay.ReadinessAsync());
        File.Delete(filler);
        await relay.WaitUntilReadyAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task OutboxThatFilledItsOwnVolume_ForwardsEachEventOnce_GivesTheSpaceBack_AndTakesEventsAgain()
    {
        using var volume = Tmpfs.Mount(16);
        string directory = Path.Combine(volume.Path, "outbox");
        await using var relay = await RelayServer.StartAsync(settings => settings["Relay:Outbox:Path"] = directory);
        await using var queue = await DurableQueue.BindAsync(relay.Exchange);
        var accepted = new List<string>();
        try
        {
            await BrokerControl.StopAppAsync();
            for (int i = 0; i < 1000 && accepted.Count == i; i++)
            {
                using var response = await relay.PostCallbackAsync(CallbackForms.WithManyResults($"fill-{i}", 100_000, out _));
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    accepted.Add($"fill-{i}");
                }
                else
                {
                    Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
                }
            }

            // The volume, not the loop, ended it: the outbox stopped while its reserve was still free.
            Assert.InRange(accepted.Count, 20, 999);
            Assert.True(volume.Free >= MiB, $"the outbox left {volume.Free} bytes free on its volume");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, await relay.ReadinessAsync());
        }
        finally
        {
            await BrokerControl.StartAppAsync();
        }

        await relay.WaitForEmptyOutboxAsync(TimeSpan.FromSeconds(60));
        var delivered = await queue.DrainAsync(accepted.Count);
        Assert.Equal(accepted.Count, delivered.Select(message => message.MessageId).Distinct().Count());
        Assert.Equal(accepted.Count, delivered.Count);

        await Eventually.HoldsAsync(TimeSpan.FromSeconds(10), () => OutboxStore.FileBytes(directory) < MiB,
            $"the outbox to give its space back (its files take {OutboxStore.FileBytes(directory)} bytes)");
        await relay.WaitUntilReadyAsync(TimeSpan.FromSeconds(10));
        try
        {
            await BrokerControl.StopAppAsync();
            using var stored = await relay.PostCallbackAsync(CallbackForms.WithManyResults("after-the-drain", 100_000, out _));
            Assert.Equal(HttpStatusCode.OK, stored.StatusCode);
        }
        finally
        {
            await BrokerControl.StartAppAsync();
        }

        await relay.WaitForEmptyOutboxAsync();
    }
}
