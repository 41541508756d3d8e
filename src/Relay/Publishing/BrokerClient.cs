using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace Relay.Publishing;

/// <summary>A short-lived connection for the subcommands (replay, quarantine, outbox drain), with errors that name the broker, never its credentials; and the connection settings the server shares.</summary>
internal static class BrokerClient
{
    /// <summary>
    /// Relay's connection settings, for the server's connection and the subcommands' alike: the URI, no
    /// automatic recovery (every failure ends a session and the next begins from scratch), a 5 s connect.
    /// Connect with <see cref="BrokerHosts.Endpoints"/>, so that <c>Relay:RabbitMq:Hosts</c> is honoured.
    /// </summary>
    public static ConnectionFactory Factory(RabbitMqOptions settings, string clientName) => new()
    {
        Uri = new Uri(settings.Uri),
        ClientProvidedName = clientName,
        AutomaticRecoveryEnabled = false,
        TopologyRecoveryEnabled = false,
        RequestedConnectionTimeout = TimeSpan.FromSeconds(5),
    };

    public static async Task<IConnection> ConnectAsync(RabbitMqOptions settings, string purpose, CancellationToken cancellationToken)
    {
        var factory = Factory(settings, $"relay-{purpose}@{Environment.MachineName}");
        try
        {
            return await factory.CreateConnectionAsync(BrokerHosts.Endpoints(settings, factory), cancellationToken);
        }
        catch (BrokerUnreachableException ex)
        {
            throw new BrokerUnavailableException($"cannot connect to the broker at {BrokerAddress.Describe(settings.Uri)}: {(ex.InnerException ?? ex).Message}", ex);
        }
    }
}
