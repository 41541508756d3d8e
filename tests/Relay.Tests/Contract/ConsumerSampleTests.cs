using System.Net;
using System.Text;
using System.Text.Json;
using RabbitMQ.Client;
using Relay.Infrastructure;

namespace Relay.Contract;

/// <summary>
/// The consumer samples in Python (pika) and Node.js (amqplib, the CloudEvents SDK) against a real Relay and
/// RabbitMQ: each takes callbacks and ENS events from its quorum queue, validates them against the
/// published schemas, drops a repeated message-id, rejects a message that breaks the contract, and
/// acknowledges what it processed.
/// </summary>
public sealed class ConsumerSampleTests
{
    [Fact]
    public Task ThePythonSample_ConsumesValidatesAndDeduplicates() =>
        ConsumeAsync("/usr/bin/python3", Path.Combine(RepositoryRoot.Path, "samples", "python-consumer", "consumer.py"));

    [Fact]
    public async Task TheNodeSample_ConsumesValidatesAndDeduplicates()
    {
        string folder = Path.Combine(RepositoryRoot.Path, "samples", "node-consumer");
        await ExternalTools.EnsureNpmInstalledAsync(folder);
        await ConsumeAsync("node", Path.Combine(folder, "consumer.mjs"));
    }

    private static async Task ConsumeAsync(string program, string sample)
    {
        await using var relay = await RelayServer.StartAsync(settings => settings[EnsStandIn.KeySetting] = EnsStandIn.Key);
        string queue = "relay-test-sample-" + Guid.NewGuid().ToString("N")[..12];
        await using var connection = await TestBroker.ConnectAsync("relay-tests-sample");
        // With confirms, so that the message this test publishes itself is in the queue before the next
        // callback is posted: unconfirmed, it reached the queue after the others once (CI), and the sample,
        // done at four events, never saw it.
        await using var channel = await connection.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));
        try
        {
            // Declared and bound as the sample does, so that nothing posted before it starts is unrouted.
            await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false,
                arguments: new Dictionary<string, object?> { ["x-queue-type"] = "quorum" });
            await channel.QueueBindAsync(queue, relay.Exchange, "callback.#");
            await channel.QueueBindAsync(queue, relay.Exchange, "ens.#");

            // A callback twice (the same event id), one that breaks the contract, an invalid callback, two ENS events.
            string form = CallbackForms.Success("sample-1");
            await PostAsync(relay, form);
            await PostAsync(relay, form);
            await channel.BasicPublishAsync(relay.Exchange, "callback.ok", mandatory: false,
                new BasicProperties { ContentType = "application/cloudevents+json", MessageId = "not-relays" },
                Encoding.UTF8.GetBytes("""{"specversion":"1.0","id":"x","Source":"/elsewhere","type":"t","data":{}}"""));
            await PostAsync(relay, "no=request-id");
            using (var client = relay.CreateClient())
            {
                Assert.Equal(HttpStatusCode.OK, await EnsStandIn.PostAsync(client, EnsStandIn.Batch(2, "EngagementEvents.EmailOpen")));
            }

            var (exitCode, output) = await ExternalTools.RunAsync(program,
                [sample, "--uri", TestBroker.Uri, "--exchange", relay.Exchange, "--queue", queue, "--binding", "callback.#", "--binding", "ens.#", "--count", "4"],
                Path.GetDirectoryName(sample)!, TimeSpan.FromMinutes(1));

            Assert.True(exitCode == 0, output);
            var processed = output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Where(line => line.StartsWith("{\"id\"", StringComparison.Ordinal))
                .Select(line => JsonDocument.Parse(line).RootElement)
                .ToList();
            Assert.Equal(4, processed.Count);
            Assert.Equal(4, processed.Select(line => line.GetProperty("id").GetString()).Distinct().Count());
            Assert.Equal(["callback.invalid", "callback.ok", "ens.engagementevents.emailopen", "ens.engagementevents.emailopen"],
                processed.Select(line => line.GetProperty("routingKey").GetString()).Order());
            Assert.Contains("rejected not-relays (callback.ok): not a valid 'callback' event", output, StringComparison.Ordinal);

            // Everything taken was acknowledged (or rejected): nothing waits, nothing is unacknowledged.
            var left = await channel.QueueDeclarePassiveAsync(queue);
            Assert.Equal(0u, left.MessageCount);
        }
        finally
        {
            await channel.QueueDeleteAsync(queue);
        }
    }

    private static async Task PostAsync(RelayServer relay, string form)
    {
        using var response = await relay.PostCallbackAsync(form);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
