namespace Relay.Edge;

/// <summary>Keeps the socket peer's address before the forwarded-headers middleware replaces it.</summary>
internal sealed class PeerAddressMiddleware(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext context)
    {
        context.Features.Set(new PeerAddressFeature(context.Connection.RemoteIpAddress));
        return next(context);
    }
}
