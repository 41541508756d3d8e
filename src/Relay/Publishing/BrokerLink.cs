using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace Relay.Publishing;

/// <summary>
/// One session of a <see cref="BrokerSupervisor"/>'s connection: the connection, the node it reached, and
/// <see cref="Closed"/>, which completes with the reason when the connection or any watched channel closes.
/// </summary>
internal sealed class BrokerLink(IConnection connection, string node)
{
    private readonly TaskCompletionSource<string> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public IConnection Connection { get; } = connection;

    /// <summary>The node connected to, <c>host:port</c>.</summary>
    public string Node { get; } = node;

    /// <summary>Completes, with the broker's or the client's reason, when the session's connection or a watched channel closes.</summary>
    public Task<string> Closed => _closed.Task;

    /// <summary>Opens a channel whose closing ends the session.</summary>
    public async Task<IChannel> OpenChannelAsync(CreateChannelOptions? options, CancellationToken cancellationToken)
    {
        var channel = await Connection.CreateChannelAsync(options, cancellationToken);
        channel.ChannelShutdownAsync += (_, args) => Close(args);
        return channel;
    }

    internal Task Close(ShutdownEventArgs args)
    {
        _closed.TrySetResult($"{args.Initiator} {args.ReplyCode} {args.ReplyText}");
        return Task.CompletedTask;
    }
}
