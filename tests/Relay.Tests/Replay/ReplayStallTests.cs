using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using RabbitMQ.Client;
using Relay.Infrastructure;
using Relay.Publishing;

namespace Relay.Replay;

/// <summary>A replay reads to where the archive ended when it started, however long the broker takes.</summary>
[Collection(BrokerOutageGroup.Name)]
public sealed class ReplayStallTests
{
    /// <summary>More than the replay's prefetch and buffer together, so that a frozen broker leaves it waiting mid-stream.</summary>
    private const int Archived = 3000;

    [Fact]
    public async Task BrokerFrozenMidStream_DelaysTheReplay_NeverCutsItShort()
    {
        await using var relay = await RelayServer.StartAsync();
        using (var response = await relay.PostCallbackAsync(CallbackForms.Success("archived")))
        {
            Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        }

        var original = Assert.Single(await ArchiveStream.ReadAsync(relay.Exchange, expected: 1));
        await PublishCopiesAsync(relay.Exchange, original, Archived - 1);

        // The first progress report comes with the first event (every reading of this clock is a second
        // later); the broker is frozen from there for longer than the replay used to wait before it took
        // silence for the end of the stream.
        string broker = await BrokerControl.VmProcessIdAsync();
        Task? freeze = null;
        var replayer = new ArchiveReplayer(Options.Create(new RabbitMqOptions { Uri = TestBroker.Uri, Exchange = relay.Exchange }),
            new SecondPerReading(), NullLogger<ArchiveReplayer>.Instance);
        var request = new ReplayRequest(null, null, new HashSet<string>(), null, Target: null, DryRun: true);
        var summary = await replayer.RunAsync(request, progress: _ => freeze ??= BrokerControl.FreezeAsync(broker, TimeSpan.FromSeconds(3)),
            CancellationToken.None);
        Assert.NotNull(freeze);
        await freeze;

        Assert.Equal(Archived, summary.Read);
        Assert.Equal(Archived, summary.Matched);
    }

    private static async Task PublishCopiesAsync(string exchange, ReceivedMessage original, int copies)
    {
        await using var connection = await TestBroker.ConnectAsync("relay-tests-archive-filler");
        await using var channel = await connection.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));
        for (int sent = 0; sent < copies; sent += 500)
        {
            await Task.WhenAll(Enumerable.Range(0, Math.Min(500, copies - sent)).Select(_ => channel.BasicPublishAsync(exchange, original.RoutingKey,
                mandatory: false, new BasicProperties { MessageId = Guid.NewGuid().ToString(), ContentType = original.ContentType }, original.Body).AsTask()));
        }
    }

    /// <summary>A clock whose every reading of elapsed time is a second after the last.</summary>
    private sealed class SecondPerReading : TimeProvider
    {
        private long _timestamp;

        public override long GetTimestamp() => Interlocked.Add(ref _timestamp, TimestampFrequency);
    }
}
