using RabbitMQ.Client;

namespace Relay.Publishing;

/// <summary>The publishing channel (confirms, tracking on) of the live connection to the broker.</summary>
internal sealed record BrokerSession(IChannel Channel);
