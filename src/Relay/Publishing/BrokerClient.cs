using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace Relay.Publishing;

/// <summary>A short-lived connection for the subcommands (replay, quarantine), with errors that name the broker, never its credentials.</summary>
internal static class BrokerClient
{
    public static async Task<IConnection> ConnectAsync(RabbitMqOptions settings, string purpose, CancellationToken cancellationToken)
    {
        var factory = new ConnectionFactory
        {
            Uri = new Uri(settings.Uri),
            ClientProvidedName = $"relay-{purpose}@{Environment.MachineName}",
            AutomaticRecoveryEnabled = false,
            TopologyRecoveryEnabled = false,
            RequestedConnectionTimeout = TimeSpan.FromSeconds(5),
        };
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
