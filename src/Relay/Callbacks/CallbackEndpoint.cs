using System.Diagnostics;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using Relay.Core.Callbacks;
using Relay.Core.Events;
using Relay.Delivery;
using Relay.RequestBodies;
using Relay.Telemetry;
using Attributes = Relay.Telemetry.RelayTelemetry.Attributes;

namespace Relay.Callbacks;

/// <summary>
/// <c>POST {Relay:Callbacks:Path}</c>: reads one Marketing Cloud callback, turns it into a CloudEvent
/// and answers 200 only once the broker has confirmed it or it is on disk in the outbox. Marketing Cloud
/// never retries, so anything that parses as a form is accepted: a callback that makes no sense is
/// published as <c>callback.invalid</c> with its raw body rather than refused.
/// </summary>
internal sealed partial class CallbackEndpoint(
    IOptions<CallbackOptions> options,
    CallbackSources sources,
    CallbackBodies bodies,
    LargeNormalizationTurns turns,
    EventDelivery delivery,
    CallbackMetrics metrics,
    TimeProvider time,
    ILogger<CallbackEndpoint> logger)
{
    private const string FormMediaType = "application/x-www-form-urlencoded";
    private readonly string _path = options.Value.Path;

    public async Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        var response = context.Response;

        // A missing or wrong token gets exactly what an unknown path gets, whatever the method.
        var source = context.Features.Get<CallbackTokenFeature>() is { } token && token.Door.Path == _path ? token.Source : null;
        if (source is null)
        {
            metrics.Callback(CallbackOutcomes.UnknownToken);
            response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        if (!HttpMethods.IsPost(request.Method))
        {
            Refuse(context, StatusCodes.Status405MethodNotAllowed, CallbackOutcomes.MethodNotAllowed);
            response.Headers.Allow = HttpMethods.Post;
            return;
        }

        if (!IsForm(request.ContentType))
        {
            Refuse(context, StatusCodes.Status415UnsupportedMediaType, CallbackOutcomes.UnsupportedMediaType);
            return;
        }

        var receivedAt = time.GetUtcNow();
        var read = await bodies.ReadAsync(context);
        if (read.Body is not { } body)
        {
            Refuse(context, read.StatusCode, read.Outcome!);
            return;
        }

        using var held = read.Held!;

        // Normalized and let go before the wait for the broker: only the event's bytes stay in memory
        // while the confirm is outstanding, not the body, the decoded form or the parsed XML.
        CallbackEvent callbackEvent;
        bool valid;
        using (body)
        using (await turns.TakeAsync(body.Length))
        {
            callbackEvent = Normalize(source, body, receivedAt, out valid);
        }

        held.Resize(IDeliveryMemory.HeldFor(callbackEvent.Body.Length));

        // Not tied to RequestAborted: once the body is in, the event goes to the broker or the outbox
        // even if the caller has stopped waiting for the answer.
        var result = await delivery.DeliverAsync(callbackEvent);
        if (result is DeliveryResult.OutboxFull or DeliveryResult.OutboxUnwritable)
        {
            // Counted here, logged by the outbox once per interval with a count (event 4002): a full disk
            // under Marketing Cloud's traffic must not become a log line per callback.
            string outcome = result == DeliveryResult.OutboxFull ? CallbackOutcomes.OutboxFull : CallbackOutcomes.OutboxUnwritable;
            metrics.Callback(outcome);
            Log.RefusedByOutbox(logger, outcome);
            response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            return;
        }

        metrics.Callback(valid ? CallbackOutcomes.Accepted : CallbackOutcomes.AcceptedInvalid);
        Log.Accepted(logger, callbackEvent.Id, source.Name, callbackEvent.RoutingKey, result == DeliveryResult.Stored ? "outbox" : "broker");
        response.StatusCode = StatusCodes.Status200OK;
    }

    private CallbackEvent Normalize(CallbackSource source, BufferedBody body, DateTimeOffset receivedAt, out bool valid)
    {
        // Disposed once the event is made: the buffer ResultDetailXML was decoded into goes back to the pool.
        using var decoded = CallbackFormReader.Read(body.Span);
        var read = decoded;
        var server = Activity.Current;
        string? traceParent = server is { IdFormat: ActivityIdFormat.W3C } ? server.Id : null;
        CallbackEvent callbackEvent;
        try
        {
            callbackEvent = source.Events.Create(read, body.Span, receivedAt, traceParent, server?.TraceStateString);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A bug must not cost a callback Marketing Cloud will never send again: keep its raw body.
            Log.NormalizeFailed(logger, ex);
            read = CallbackReadResult.Unreadable;
            callbackEvent = source.Events.Create(read, body.Span, receivedAt, traceParent, server?.TraceStateString);
        }

        Tag(server, source, callbackEvent);
        valid = read.IsValid;
        if (!valid)
        {
            Log.Invalid(logger, callbackEvent.Id, read.Describe()!, body.Length);
        }

        return callbackEvent;
    }

    /// <summary>Said at every start while tokenless callbacks are allowed.</summary>
    public void WarnIfTokenless()
    {
        if (sources.Tokenless is not null)
        {
            Log.TokenlessAllowed(logger, options.Value.Path);
        }
    }

    private static bool IsForm(string? contentType) =>
        MediaTypeHeaderValue.TryParse(contentType, out var mediaType)
        && mediaType.MediaType.Equals(FormMediaType, StringComparison.OrdinalIgnoreCase);

    private static void Tag(Activity? server, CallbackSource source, CallbackEvent callbackEvent)
    {
        if (server is not { IsAllDataRequested: true })
        {
            return;
        }

        server.SetTag(Attributes.Source, source.EventSource);
        server.SetTag(Attributes.EventId, callbackEvent.Id);
        server.SetTag(Attributes.RequestId, RelayTelemetry.Capped(callbackEvent.RequestId));
        server.SetTag(Attributes.ConversationId, RelayTelemetry.Capped(callbackEvent.ConversationId));
        server.SetTag(Attributes.OverallStatus, RelayTelemetry.Capped(callbackEvent.Status));
    }

    private void Refuse(HttpContext context, int statusCode, string outcome)
    {
        metrics.Callback(outcome);
        Log.Refused(logger, statusCode, outcome);
        context.Response.StatusCode = statusCode;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 2001, Level = LogLevel.Debug, Message = "Accepted callback from source {Source} as event {EventId} ({RoutingKey}), held by the {HeldBy}")]
        public static partial void Accepted(ILogger logger, string eventId, string source, string routingKey, string heldBy);

        [LoggerMessage(EventId = 2005, Level = LogLevel.Error, Message = "A callback could not be normalized; it is published as invalid with its raw body")]
        public static partial void NormalizeFailed(ILogger logger, Exception exception);

        [LoggerMessage(EventId = 2004, Level = LogLevel.Warning, Message = "Relay:Callbacks:AllowTokenless is on: any Marketing Cloud account can post callbacks to {Path}. For development only.")]
        public static partial void TokenlessAllowed(ILogger logger, string path);

        [LoggerMessage(EventId = 2002, Level = LogLevel.Warning, Message = "Callback answered {StatusCode}: {Outcome}")]
        public static partial void Refused(ILogger logger, int statusCode, string outcome);

        [LoggerMessage(EventId = 2006, Level = LogLevel.Debug, Message = "Callback answered 503: {Outcome}")]
        public static partial void RefusedByOutbox(ILogger logger, string outcome);

        [LoggerMessage(EventId = 2003, Level = LogLevel.Warning, Message = "Callback published as invalid, event {EventId}: {Reason} ({BodyBytes} bytes kept raw)")]
        public static partial void Invalid(ILogger logger, string eventId, string reason, int bodyBytes);
    }
}
