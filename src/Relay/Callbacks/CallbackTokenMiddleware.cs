using Microsoft.Extensions.Options;
using Relay.Telemetry;

namespace Relay.Callbacks;

/// <summary>
/// Takes the secret token off callback URLs before routing, logging or proxying see the path:
/// <c>{Path}/{token}</c> becomes <c>{Path}</c> with the token in a <see cref="CallbackTokenFeature"/>.
/// Anything deeper under <c>{Path}/</c> is not a callback URL and gets 404 here, so no component
/// downstream ever records a token-like segment of it.
/// </summary>
internal sealed class CallbackTokenMiddleware(RequestDelegate next, IOptions<CallbackOptions> options, RelayMetrics metrics)
{
    private readonly PathString _path = options.Value.Path;

    public Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        if (!request.Path.StartsWithSegments(_path, StringComparison.OrdinalIgnoreCase, out var remaining) || !remaining.HasValue)
        {
            return next(context);
        }

        string rest = remaining.Value![1..];
        if (rest.Contains('/', StringComparison.Ordinal))
        {
            metrics.Callback(CallbackOutcomes.UnknownToken);
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        }

        if (rest.Length > 0)
        {
            context.Features.Set(new CallbackTokenFeature(rest));
        }

        request.Path = _path;
        return next(context);
    }
}
