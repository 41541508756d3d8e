using System.Globalization;
using RabbitMQ.Client;

namespace Relay.Reconciliation;

/// <summary>
/// Where expectations live, so that they survive a restart, a takeover and a node of the cluster: three
/// durable quorum queues. <c>{Exchange}.expectations</c> is where producers put them and where the
/// active instance (RabbitMQ's single active consumer) takes them. An expectation that must wait goes to
/// <c>.grace</c> (for <c>Relay:Reconciliation:Grace</c> after registration) or <c>.retry</c> (for
/// <c>RetryInterval</c> between retrieves) with a per-message expiry, and the broker dead-letters it back
/// to the first queue when it is due, at least once. Each waiting queue holds one delay, so the message
/// at its head is always the next due.
/// </summary>
internal static class ExpectationQueues
{
    public static string Expectations(string exchange) => exchange + ".expectations";

    public static string Grace(string exchange) => exchange + ".expectations.grace";

    public static string Retry(string exchange) => exchange + ".expectations.retry";

    public static async Task DeclareAsync(IChannel channel, string exchange, CancellationToken cancellationToken)
    {
        string main = Expectations(exchange);
        await channel.QueueDeclareAsync(main, durable: true, exclusive: false, autoDelete: false,
            arguments: new Dictionary<string, object?>
            {
                ["x-queue-type"] = "quorum",
                ["x-single-active-consumer"] = true,
            },
            cancellationToken: cancellationToken);
        foreach (string waiting in new[] { Grace(exchange), Retry(exchange) })
        {
            await channel.QueueDeclareAsync(waiting, durable: true, exclusive: false, autoDelete: false,
                arguments: new Dictionary<string, object?>
                {
                    ["x-queue-type"] = "quorum",
                    ["x-dead-letter-exchange"] = string.Empty,
                    ["x-dead-letter-routing-key"] = main,
                    // At-least-once dead-lettering needs publishers refused rather than messages dropped when full.
                    ["x-dead-letter-strategy"] = "at-least-once",
                    ["x-overflow"] = "reject-publish",
                },
                cancellationToken: cancellationToken);
        }
    }

    /// <summary>
    /// Puts an expectation to wait in <paramref name="queue"/> (<see cref="Grace"/> or <see cref="Retry"/>)
    /// for <paramref name="delay"/>, with its state in the headers; returns once the broker confirmed it.
    /// </summary>
    public static async Task WaitAsync(IChannel publish, string queue, ReadOnlyMemory<byte> body, ExpectationState state, TimeSpan delay,
        CancellationToken cancellationToken)
    {
        var properties = new BasicProperties
        {
            DeliveryMode = DeliveryModes.Persistent,
            ContentType = "application/json",
            Expiration = ((long)Math.Ceiling(delay.TotalMilliseconds)).ToString(CultureInfo.InvariantCulture),
            Headers = state.Headers(),
        };
        await publish.BasicPublishAsync(string.Empty, queue, mandatory: true, properties, body.ToArray(), cancellationToken);
    }
}
