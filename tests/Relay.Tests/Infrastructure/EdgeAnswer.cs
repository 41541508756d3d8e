using System.Net;

namespace Relay.Infrastructure;

/// <summary>
/// What the edge answered a request: its status, or <see cref="Closed"/> when the connection was closed
/// as it was accepted (before TLS), as it is for a peer outside the allowlist.
/// </summary>
internal static class EdgeAnswer
{
    public static HttpStatusCode? Closed => null;

    public static async Task<HttpStatusCode?> OfAsync(Func<Task<HttpResponseMessage>> send)
    {
        try
        {
            using var response = await send();
            return response.StatusCode;
        }
        catch (HttpRequestException)
        {
            return Closed;
        }
    }
}
