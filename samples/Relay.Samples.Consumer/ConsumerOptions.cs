namespace Relay.Samples.Consumer;

/// <summary>
/// Command-line options: <c>--uri</c>, <c>--exchange</c>, <c>--queue</c>, <c>--binding</c>, <c>--count</c> (stop
/// after that many events; 0 never), <c>--exclusive</c> (true: a queue that disappears with this consumer,
/// for demonstrations; a real consumer keeps its durable queue), <c>--queue-type</c> (<c>quorum</c>, the
/// default: replicated on a cluster, so a confirmed event survives the loss of a node; or <c>classic</c>).
/// </summary>
internal sealed record ConsumerOptions(string Uri, string Exchange, string Queue, string Binding, int Count, bool Exclusive, string QueueType)
{
    public static ConsumerOptions Parse(string[] args)
    {
        var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["uri"] = Environment.GetEnvironmentVariable("RELAY_RABBITMQ_URI") ?? "amqp://guest:guest@127.0.0.1:5672/",
            ["exchange"] = "marketing-cloud",
            ["queue"] = "sample-consumer",
            ["binding"] = "callback.#",
            ["count"] = "0",
            ["exclusive"] = "false",
            ["queue-type"] = "quorum",
        };

        for (int i = 0; i + 1 < args.Length; i += 2)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || !values.ContainsKey(args[i][2..]))
            {
                throw new ArgumentException($"unknown option '{args[i]}'; use --uri, --exchange, --queue, --binding, --count, --exclusive, --queue-type");
            }

            values[args[i][2..]] = args[i + 1];
        }

        return new ConsumerOptions(values["uri"], values["exchange"], values["queue"], values["binding"],
            int.Parse(values["count"], System.Globalization.CultureInfo.InvariantCulture),
            bool.Parse(values["exclusive"]), values["queue-type"]);
    }
}
