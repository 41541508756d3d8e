using Microsoft.Extensions.Options;
using Relay.Edge;

namespace Relay.Callbacks;

/// <summary>
/// Takes the secret token off callback URLs before routing, logging or proxying see the path:
/// <c>{Path}/{token}</c> becomes <c>{Path}</c>, and the source the token belongs to (or none) goes into a
/// <see cref="CallbackTokenFeature"/>. A request with a valid token is exempt from the per-address rate
/// limit, which comes after. Anything deeper under <c>{Path}/</c>, or holding <c>{Path}</c> any other way,
/// is not a callback URL and gets 404 here, so no component downstream ever records a token-like segment
/// of it.
/// </summary>
internal sealed class CallbackTokenMiddleware(RequestDelegate next, IOptions<CallbackOptions> options, CallbackSources sources, CallbackMetrics metrics)
{
    private readonly PathString _path = options.Value.Path;

    public Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        if (!request.Path.StartsWithSegments(_path, StringComparison.OrdinalIgnoreCase, out var remaining))
        {
            // A path holding the callback path in any other way (an encoded slash, a doubled one, a prefix)
            // may hold a token too: routing and proxying would log it, so it ends here.
            if (request.Path.Value is { } raw && raw.Contains(_path.Value!, StringComparison.OrdinalIgnoreCase))
            {
                return NotACallbackUrl(context);
            }

            return next(context);
        }

        CallbackSource? source;
        if (!remaining.HasValue)
        {
            source = sources.Tokenless;
        }
        else
        {
            string rest = remaining.Value![1..];
            if (rest.Contains('/', StringComparison.Ordinal))
            {
                return NotACallbackUrl(context);
            }

            source = rest.Length > 0 && sources.TryMatch(rest, out var matched) ? matched : null;
        }

        context.Features.Set(new CallbackTokenFeature(source));
        if (source is not null)
        {
            context.Features.Set(RateLimitExemptFeature.Instance);
        }

        request.Path = _path;
        return next(context);
    }

    private Task NotACallbackUrl(HttpContext context)
    {
        metrics.Callback(CallbackOutcomes.UnknownToken);
        context.Response.StatusCode = StatusCodes.Status404NotFound;
        return Task.CompletedTask;
    }
}
