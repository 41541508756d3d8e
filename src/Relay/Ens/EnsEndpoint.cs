using System.Diagnostics;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using Relay.Callbacks;
using Relay.Core.Ens;
using Relay.Core.Events;
using Relay.Delivery;
using Relay.RequestBodies;
using Attributes = Relay.Telemetry.RelayTelemetry.Attributes;

namespace Relay.Ens;

/// <summary>
/// <c>POST {Relay:Ens:Path}/{token}</c>: reads a batch of ENS notifications, checks its signature, turns each
/// event into a CloudEvent and answers 200 only once every one is confirmed by the broker or in the
/// outbox. ENS retries a batch it was not answered 200 for, so a batch any of whose events the outbox
/// could not take is answered 503 as a whole (those that were kept come again in the retry, with the same
/// ids, for consumers to drop). The verification ENS
/// posts when a callback is created is unsigned: it is published as <c>ens.verification</c>, answered 200,
/// and handed to <see cref="EnsVerifier"/>.
/// </summary>
internal sealed partial class EnsEndpoint(
    IOptions<EnsOptions> options,
    CallbackBodies bodies,
    LargeNormalizationTurns turns,
    EventDelivery delivery,
    EnsVerifier verifier,
    EnsRefusals refusals,
    EnsMetrics metrics,
    TimeProvider time,
    ILogger<EnsEndpoint> logger)
{
    public const string SignatureHeader = "x-sfmc-ens-signature";

    /// <summary>How long ENS waits for an answer before it counts the post as failed.</summary>
    public static readonly TimeSpan AnswerWindow = TimeSpan.FromSeconds(3);

    private const string JsonMediaType = "application/json";
    private readonly string _path = options.Value.Path;

    public async Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        var response = context.Response;

        // A wrong token gets exactly what an unknown path gets. So does a source without signature keys,
        // but for the one post it must answer before it can have one: the verification ENS sends while
        // the operator creates the callback (the key comes in that call's answer).
        var source = context.Features.Get<CallbackTokenFeature>() is { } token && token.Door.Path == _path ? token.Source : null;
        var signature = source?.EnsSignature;
        if (source is null || (signature is null && (!HttpMethods.IsPost(request.Method) || !IsJson(request.ContentType)
            || request.ContentLength is null or > EnsBodyReader.MaxVerificationBytes)))
        {
            NotEnabled(response);
            return;
        }

        if (!HttpMethods.IsPost(request.Method))
        {
            Refuse(context, StatusCodes.Status405MethodNotAllowed, EnsOutcomes.MethodNotAllowed);
            response.Headers.Allow = HttpMethods.Post;
            return;
        }

        if (!IsJson(request.ContentType))
        {
            Refuse(context, StatusCodes.Status415UnsupportedMediaType, EnsOutcomes.UnsupportedMediaType);
            return;
        }

        long started = time.GetTimestamp();
        var receivedAt = time.GetUtcNow();
        var read = await bodies.ReadAsync(context);
        if (read.Body is not { } body)
        {
            Refuse(context, read.StatusCode, read.Outcome == CallbackOutcomes.BodyTooLarge ? EnsOutcomes.BodyTooLarge : EnsOutcomes.BodyIncomplete);
            return;
        }

        using var held = read.Held!;
        List<CallbackEvent> events;
        List<string?> categories = [];
        EnsVerification? verification = null;
        var server = Activity.Current;
        using (body)
        {
            string? header = request.Headers[SignatureHeader];
            if (signature is null)
            {
                if (!string.IsNullOrEmpty(header) || !EnsBodyReader.IsVerification(body.Span, out verification))
                {
                    NotEnabled(response);
                    return;
                }
            }
            else if (signature.Check(header, body.Span) is var check && check != EnsSignatureCheck.Valid
                && (check != EnsSignatureCheck.Missing || !EnsBodyReader.IsVerification(body.Span, out verification)))
            {
                refusals.Refused(source.Name, check, signature);
                metrics.Notification(check == EnsSignatureCheck.Missing ? EnsOutcomes.SignatureMissing : EnsOutcomes.SignatureWrong);
                response.StatusCode = StatusCodes.Status401Unauthorized;
                return;
            }

            using (await turns.TakeAsync(body.Length))
            {
                events = Normalize(source, body, receivedAt, server, categories, ref verification, out string? problem);
                if (problem is not null)
                {
                    metrics.Notification(EnsOutcomes.Malformed);
                    Log.Malformed(logger, source.Name, problem, body.Length);
                    response.StatusCode = StatusCodes.Status400BadRequest;
                    return;
                }
            }
        }

        held.Resize(events.Sum(item => IDeliveryMemory.HeldFor(item.Body.Length)));
        server?.SetTag(Attributes.Source, source.EventSource);
        server?.SetTag(Attributes.EnsEvents, events.Count);

        // Not tied to RequestAborted: once the body is in, its events go to the broker or the outbox even if
        // ENS has stopped waiting for the answer (it then retries, and the ids are the same).
        var results = await Task.WhenAll(events.Select(delivery.DeliverAsync));
        if (results.Any(result => result is DeliveryResult.OutboxFull or DeliveryResult.OutboxUnwritable))
        {
            var refused = results.First(result => result is DeliveryResult.OutboxFull or DeliveryResult.OutboxUnwritable);
            // Some may be kept; ENS retries the whole batch and consumers drop the repeats by id.
            string outcome = refused == DeliveryResult.OutboxFull ? EnsOutcomes.OutboxFull : EnsOutcomes.OutboxUnwritable;
            metrics.Notification(outcome);
            Log.RefusedByOutbox(logger, source.Name, events.Count, outcome);
            response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            return;
        }

        var elapsed = time.GetElapsedTime(started);
        metrics.Answered(elapsed);
        if (verification is not null)
        {
            metrics.Notification(EnsOutcomes.Verification);
            Log.VerificationReceived(logger, source.Name, verification.CallbackId, events[0].Id);
            verifier.Enqueue(source, verification);
        }
        else
        {
            metrics.Notification(EnsOutcomes.Accepted);
            foreach (string? category in categories)
            {
                metrics.Event(category);
            }

            int stored = results.Count(result => result == DeliveryResult.Stored);
            Log.Accepted(logger, source.Name, events.Count, stored);
        }

        if (elapsed > AnswerWindow)
        {
            Log.Late(logger, source.Name, events.Count, elapsed.TotalSeconds);
        }

        response.StatusCode = StatusCodes.Status200OK;
    }

    private static List<CallbackEvent> Normalize(CallbackSource source, BufferedBody body, DateTimeOffset receivedAt, Activity? server,
        List<string?> categories, ref EnsVerification? verification, out string? problem)
    {
        string? traceParent = server is { IdFormat: ActivityIdFormat.W3C } ? server.Id : null;
        string? traceState = server?.TraceStateString;
        problem = null;
        if (verification is null)
        {
            var read = EnsBodyReader.Read(body.Span);
            if (read.Problem is not null)
            {
                problem = read.Problem;
                return [];
            }

            verification = read.Verification;
            if (verification is null)
            {
                var events = new List<CallbackEvent>(read.Notifications.Count);
                foreach (var notification in read.Notifications)
                {
                    events.Add(source.EnsEvents.Create(notification, receivedAt, traceParent, traceState));
                    categories.Add(notification.Category);
                }

                return events;
            }
        }

        return [source.EnsEvents.CreateVerification(verification, receivedAt, traceParent, traceState)];
    }

    private void NotEnabled(HttpResponse response)
    {
        metrics.Notification(EnsOutcomes.NotEnabled);
        response.StatusCode = StatusCodes.Status404NotFound;
    }

    private static bool IsJson(string? contentType) =>
        MediaTypeHeaderValue.TryParse(contentType, out var mediaType)
        && mediaType.MediaType.Equals(JsonMediaType, StringComparison.OrdinalIgnoreCase);

    private void Refuse(HttpContext context, int statusCode, string outcome)
    {
        metrics.Notification(outcome);
        Log.Refused(logger, statusCode, outcome);
        context.Response.StatusCode = statusCode;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 6001, Level = LogLevel.Debug, Message = "Accepted an ENS batch of {Events} events from source {Source} ({Stored} held by the outbox)")]
        public static partial void Accepted(ILogger logger, string source, int events, int stored);

        [LoggerMessage(EventId = 6002, Level = LogLevel.Warning, Message = "ENS post answered {StatusCode}: {Outcome}")]
        public static partial void Refused(ILogger logger, int statusCode, string outcome);

        [LoggerMessage(EventId = 6003, Level = LogLevel.Warning, Message = "ENS post from source {Source} answered 400: {Problem} ({BodyBytes} bytes; nothing published)")]
        public static partial void Malformed(ILogger logger, string source, string problem, int bodyBytes);

        [LoggerMessage(EventId = 6004, Level = LogLevel.Warning, Message = "ENS batch of {Events} events from source {Source} answered 503 ({Outcome}); ENS retries it")]
        public static partial void RefusedByOutbox(ILogger logger, string source, int events, string outcome);

        [LoggerMessage(EventId = 6005, Level = LogLevel.Information, Message = "ENS verification of callback {CallbackId} for source {Source} received, published as event {EventId} (ens.verification)")]
        public static partial void VerificationReceived(ILogger logger, string source, string callbackId, string eventId);

        [LoggerMessage(EventId = 6006, Level = LogLevel.Warning, Message = "ENS batch of {Events} events from source {Source} took {Seconds:0.###} s, past ENS's 3 s: its events are kept, and ENS's retry of it gives the same ids")]
        public static partial void Late(ILogger logger, string source, int events, double seconds);
    }
}
