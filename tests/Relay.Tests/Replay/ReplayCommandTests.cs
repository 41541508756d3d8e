using System.Globalization;
using System.Net;
using RabbitMQ.Client;
using Relay.Infrastructure;

namespace Relay.Replay;

/// <summary><c>Relay replay</c> against a real broker: the archive of a real Relay, republished with confirms.</summary>
public sealed class ReplayCommandTests
{
    [Fact]
    public async Task TimeRange_ReplaysOnlyTheEventsReceivedInIt_WithTheirBodyAndId()
    {
        await using var relay = await RelayServer.StartAsync();
        await PostAsync(relay, "before");

        // Wall-clock time is the subject: the range's edges must fall between the events' receipt times.
        await Task.Delay(50);
        var since = DateTimeOffset.UtcNow;
        await PostAsync(relay, "inside-1", "inside-2");
        var until = DateTimeOffset.UtcNow;
        await Task.Delay(50);
        await PostAsync(relay, "after");
        var archived = await ArchiveStream.ReadAsync(relay.Exchange, expected: 4);
        await using var target = await TestQueue.DeclareAsync();

        var (exitCode, output, error) = await ReplayRun.RunAsync(relay.Exchange,
            "--since", Iso(since), "--until", Iso(until), "--to-queue", target.Name);

        Assert.True(exitCode == 0, error);
        Assert.Equal("read 4, matched 2, published 2", output.Trim());
        var replayed = await target.TakeAllAsync();
        Assert.Equal(["inside-1", "inside-2"], replayed.Select(message => message.Subject));
        foreach (var message in replayed)
        {
            var original = Assert.Single(archived, candidate => candidate.MessageId == message.MessageId);
            Assert.Equal(original.Body, message.Body);
            Assert.Equal("True", message.Headers["relay-replayed"]);
            Assert.Equal(original.Headers["traceparent"], message.Headers["traceparent"]);
            Assert.Equal("application/cloudevents+json", message.ContentType);
            Assert.Equal(DeliveryModes.Persistent, message.DeliveryMode);
        }
    }

    [Fact]
    public async Task RequestIds_ReplayOnlyTheirEvents()
    {
        await using var relay = await RelayServer.StartAsync();
        await PostAsync(relay, "x", "y", "z");
        await ArchiveStream.ReadAsync(relay.Exchange, expected: 3);
        await using var target = await TestQueue.DeclareAsync();

        var (exitCode, output, error) = await ReplayRun.RunAsync(relay.Exchange,
            "--request-id", "x", "--request-id", "z", "--to-queue", target.Name);

        Assert.True(exitCode == 0, error);
        Assert.Equal("read 3, matched 2, published 2", output.Trim());
        Assert.Equal(["x", "z"], (await target.TakeAllAsync()).Select(message => message.Subject));
    }

    [Fact]
    public async Task RoutingKeyPattern_ToAnExchange_ReachesTheBoundQueue_WithTheOriginalRoutingKeys()
    {
        await using var relay = await RelayServer.StartAsync();
        await PostAsync(relay, "fine-1");
        using (var failed = await relay.PostCallbackAsync(CallbackForms.WithErrors("failed-1")))
        {
            Assert.Equal(HttpStatusCode.OK, failed.StatusCode);
        }

        await PostAsync(relay, "fine-2");
        await ArchiveStream.ReadAsync(relay.Exchange, expected: 3);
        string exchange = "relay-test-replay-" + Guid.NewGuid().ToString("N")[..12];
        await using (var connection = await TestBroker.ConnectAsync("relay-tests-replay"))
        await using (var channel = await connection.CreateChannelAsync())
        {
            await channel.ExchangeDeclareAsync(exchange, ExchangeType.Topic, durable: false, autoDelete: false);
        }

        try
        {
            await using var bound = await TestQueue.DeclareAsync(exchange, binding: "callback.#");

            var (exitCode, output, error) = await ReplayRun.RunAsync(relay.Exchange,
                "--routing-key", "*.ok", "--to-exchange", exchange);

            Assert.True(exitCode == 0, error);
            Assert.Equal("read 3, matched 2, published 2", output.Trim());
            var replayed = await bound.TakeAllAsync();
            Assert.Equal(["fine-1", "fine-2"], replayed.Select(message => message.Subject));
            Assert.All(replayed, message => Assert.Equal("callback.ok", message.RoutingKey));
        }
        finally
        {
            await using var connection = await TestBroker.ConnectAsync("relay-tests-replay");
            await using var channel = await connection.CreateChannelAsync();
            await channel.ExchangeDeleteAsync(exchange);
        }
    }

    [Fact]
    public async Task ToRelaysOwnExchange_ConsumersGetTheCopies_AndALaterReplaySkipsTheArchivedCopies()
    {
        await using var relay = await RelayServer.StartAsync();
        await using var consumer = await TestQueue.DeclareAsync(relay.Exchange, binding: "callback.#");
        await PostAsync(relay, "again-1", "again-2");
        await ArchiveStream.ReadAsync(relay.Exchange, expected: 2);

        var first = await ReplayRun.RunAsync(relay.Exchange, "--to-exchange", relay.Exchange);
        Assert.True(first.ExitCode == 0, first.Error);
        Assert.Equal("read 2, matched 2, published 2", first.Output.Trim());
        var received = await consumer.TakeAllAsync();
        Assert.Equal(4, received.Count);
        Assert.Equal(2, received.Count(message => message.Headers.ContainsKey("relay-replayed")));
        Assert.Equal(2, received.Select(message => message.MessageId).Distinct().Count());

        // The archive now holds the replayed copies too; they are read, never replayed again.
        await ArchiveStream.ReadAsync(relay.Exchange, expected: 4);
        var second = await ReplayRun.RunAsync(relay.Exchange, "--dry-run");
        Assert.True(second.ExitCode == 0, second.Error);
        Assert.Equal("read 4, skipped 2 copies of earlier replays, matched 2 (dry run: nothing published)", second.Output.Trim());
    }

    [Fact]
    public async Task DryRun_CountsAndPublishesNothing()
    {
        await using var relay = await RelayServer.StartAsync();
        await PostAsync(relay, "counted-1", "counted-2", "counted-3");
        await ArchiveStream.ReadAsync(relay.Exchange, expected: 3);
        await using var target = await TestQueue.DeclareAsync();

        var (exitCode, output, error) = await ReplayRun.RunAsync(relay.Exchange, "--dry-run", "--to-queue", target.Name,
            "--request-id", "counted-2");

        Assert.True(exitCode == 0, error);
        Assert.Equal("read 3, matched 1 (dry run: nothing published)", output.Trim());
        Assert.Empty(await target.TakeAllAsync());
    }

    [Theory]
    [InlineData("--since=yesterday --dry-run", "--since")]
    [InlineData("--since 2026-12-02T00:00:00Z --until 2026-12-01T00:00:00Z --dry-run", "--until")]
    [InlineData("--to-queue a --to-exchange b", "--to-queue or --to-exchange")]
    [InlineData("--since 2026-12-01T00:00:00Z", "--to-queue")]
    [InlineData("--routing-key callback.err* --dry-run", "--routing-key")]
    [InlineData("--sinse 2026-12-01 --dry-run", "'--sinse'")]
    [InlineData("--dry-run --Relay:RabbitMq:Exchnage=x", "Relay:RabbitMq:Exchnage: unknown key")]
    [InlineData("--dry-run --Relay:RabbitMq:Uri=http://guest:secret@127.0.0.1/", "Relay:RabbitMq:Uri")]
    public async Task BadArguments_ExitWith2_NamingTheArgument(string arguments, string named)
    {
        var (exitCode, output, error) = await ReplayRun.RunAsync("relay-test-unused", arguments.Split(' '));

        Assert.Equal(2, exitCode);
        Assert.Contains(named, error, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", error, StringComparison.Ordinal);
        Assert.Equal(string.Empty, output);
    }

    [Fact]
    public async Task MissingTargetQueue_MissingArchive_OrNoBroker_ExitWith1_SayingWhich()
    {
        await using var relay = await RelayServer.StartAsync();

        var noQueue = await ReplayRun.RunAsync(relay.Exchange, "--to-queue", "relay-test-no-such-queue");
        Assert.Equal(1, noQueue.ExitCode);
        Assert.Contains("--to-queue: there is no queue 'relay-test-no-such-queue'", noQueue.Error, StringComparison.Ordinal);

        var noArchive = await ReplayRun.RunAsync("relay-test-no-such-exchange", "--dry-run");
        Assert.Equal(1, noArchive.ExitCode);
        Assert.Contains("the archive stream 'relay-test-no-such-exchange.archive' does not exist", noArchive.Error, StringComparison.Ordinal);

        var noBroker = await ReplayRun.RunAsync(relay.Exchange, "--dry-run", $"--Relay:RabbitMq:Uri=amqp://guest:secret@127.0.0.1:{FreePort.Next()}/");
        Assert.Equal(1, noBroker.ExitCode);
        Assert.Contains("cannot connect to the broker at amqp://127.0.0.1:", noBroker.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", noBroker.Error, StringComparison.Ordinal);
    }

    private static async Task PostAsync(RelayServer relay, params string[] requestIds)
    {
        foreach (string requestId in requestIds)
        {
            using var response = await relay.PostCallbackAsync(CallbackForms.Success(requestId));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
    }

    private static string Iso(DateTimeOffset time) => time.ToString("O", CultureInfo.InvariantCulture);
}
