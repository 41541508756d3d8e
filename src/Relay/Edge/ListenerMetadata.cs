namespace Relay.Edge;

/// <summary>Endpoint metadata: the listener an endpoint is served on. Endpoints without it are Public.</summary>
internal sealed class ListenerMetadata(RelayListener listener)
{
    public RelayListener Listener { get; } = listener;
}
