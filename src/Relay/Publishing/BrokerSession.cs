using RabbitMQ.Client;

namespace Relay.Publishing;

/// <summary>One live connection to the broker with its publishing channel (confirms, tracking on).</summary>
internal sealed record BrokerSession(IConnection Connection, IChannel Channel);
