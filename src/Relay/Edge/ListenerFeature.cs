namespace Relay.Edge;

/// <summary>
/// Set on each connection by the endpoint that accepted it; requests see it through the connection's
/// features. A request without it is treated as Public, so the edge policy can never be skipped.
/// </summary>
internal sealed class ListenerFeature(RelayListener listener)
{
    public static ListenerFeature Public { get; } = new(RelayListener.Public);

    public static ListenerFeature Admin { get; } = new(RelayListener.Admin);

    public RelayListener Listener { get; } = listener;
}
