using Relay.Edge;

namespace Relay.Callbacks;

/// <summary>
/// Takes the secret token off the URLs of every <see cref="TokenDoor"/> (callbacks, ENS) before routing,
/// logging or proxying see the path: <c>{Path}/{token}</c> becomes <c>{Path}</c>, and the door and the
/// source the token belongs to (or none) go into a <see cref="CallbackTokenFeature"/>. A request with a
/// valid token is exempt from the per-address rate limit, which comes after. Anything deeper under
/// <c>{Path}/</c>, or holding <c>{Path}</c> any other way, is not a token URL and gets 404 here, so no
/// component downstream ever records a token-like segment of it.
/// </summary>
internal sealed class CallbackTokenMiddleware(RequestDelegate next, IEnumerable<TokenDoor> doors, CallbackSources sources, CallbackMetrics metrics)
{
    private readonly (TokenDoor Door, PathString Path)[] _doors = [.. doors.Select(door => (door, new PathString(door.Path)))];

    public Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        foreach (var (door, path) in _doors)
        {
            if (request.Path.StartsWithSegments(path, StringComparison.OrdinalIgnoreCase, out var remaining))
            {
                return Enter(context, door, path, remaining);
            }
        }

        // A path holding a door's path in any other way (an encoded slash, a doubled one, a prefix) may
        // hold a token too: routing and proxying would log it, so it ends here.
        if (request.Path.Value is { } raw)
        {
            foreach (var (door, _) in _doors)
            {
                if (raw.Contains(door.Path, StringComparison.OrdinalIgnoreCase))
                {
                    return NotATokenUrl(context);
                }
            }
        }

        return next(context);
    }

    private Task Enter(HttpContext context, TokenDoor door, PathString path, PathString remaining)
    {
        CallbackSource? source;
        if (!remaining.HasValue)
        {
            source = door.AllowsTokenless ? sources.Tokenless : null;
        }
        else
        {
            string rest = remaining.Value![1..];
            if (rest.Contains('/', StringComparison.Ordinal))
            {
                return NotATokenUrl(context);
            }

            source = rest.Length > 0 && sources.TryMatch(rest, out var matched) ? matched : null;
        }

        context.Features.Set(new CallbackTokenFeature(door, source));
        if (source is not null)
        {
            context.Features.Set(RateLimitExemptFeature.Instance);
        }

        context.Request.Path = path;
        return next(context);
    }

    private Task NotATokenUrl(HttpContext context)
    {
        metrics.Callback(CallbackOutcomes.UnknownToken);
        context.Response.StatusCode = StatusCodes.Status404NotFound;
        return Task.CompletedTask;
    }
}
