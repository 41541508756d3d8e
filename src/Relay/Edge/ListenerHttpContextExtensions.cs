namespace Relay.Edge;

internal static class ListenerHttpContextExtensions
{
    public static RelayListener GetListener(this HttpContext context) =>
        context.Features.Get<ListenerFeature>()?.Listener ?? RelayListener.Public;
}
