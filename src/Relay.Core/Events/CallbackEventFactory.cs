using System.Text.Encodings.Web;
using System.Text.Json;
using CloudNative.CloudEvents;
using CloudNative.CloudEvents.SystemTextJson;
using Relay.Callbacks;

namespace Relay.Events;

/// <summary>Turns what was read from a callback's form into the CloudEvent consumers receive.</summary>
public sealed class CallbackEventFactory
{
    private readonly CallbackEventOptions _options;
    private readonly Uri _source;
    private readonly JsonEventFormatter _formatter;

    public CallbackEventFactory(CallbackEventOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _source = new Uri(options.Source, UriKind.RelativeOrAbsolute);

        // The event is never embedded in HTML, so XML in ResultDetailXml stays readable ('<', not '\u003C').
        var serializer = new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        _formatter = new JsonEventFormatter(serializer, default);
    }

    /// <param name="read">What the form held.</param>
    /// <param name="rawBody">The body as received; kept in the event only when the callback is invalid.</param>
    /// <param name="receivedAt">When Relay received it; the event's <c>time</c>, to the millisecond.</param>
    /// <param name="traceParent">W3C trace context of the request, for the CloudEvents distributed-tracing extension.</param>
    /// <param name="traceState">W3C trace state, when there is one.</param>
    public CallbackEvent Create(
        CallbackReadResult read,
        ReadOnlySpan<byte> rawBody,
        DateTimeOffset receivedAt,
        string? traceParent = null,
        string? traceState = null)
    {
        ArgumentNullException.ThrowIfNull(read);
        var callback = read.Callback;
        var time = new DateTimeOffset(receivedAt.UtcTicks - (receivedAt.UtcTicks % TimeSpan.TicksPerMillisecond), TimeSpan.Zero);

        string id;
        string routingKey;
        if (read.IsValid)
        {
            id = EventIds.ForCallback(_options.Source, callback);
            routingKey = RoutingKeys.ForStatus(callback.OverallStatusCode);
        }
        else
        {
            id = EventIds.ForRawBody(_options.Source, rawBody);
            routingKey = RoutingKeys.Invalid;
        }

        var data = new CallbackEventData(
            callback,
            ResultDetailXmlParser.Parse(callback.ResultDetailXml, _options.ResultDetailLimits),
            read.Describe(),
            read.IsValid ? default : rawBody.ToArray());

        var cloudEvent = new CloudEvent
        {
            Id = id,
            Source = _source,
            Type = CallbackEventOptions.EventType,
            Time = time,
            // A RequestID with control characters is no CloudEvents subject; such a callback is invalid anyway.
            Subject = CallbackFormReader.HasControlCharacter(callback.RequestId) ? null : callback.RequestId,
            DataContentType = "application/json",
            Data = data,
        };

        if (traceParent is not null)
        {
            cloudEvent[TraceContextAttributes.TraceParent] = traceParent;
            if (!string.IsNullOrEmpty(traceState))
            {
                cloudEvent[TraceContextAttributes.TraceState] = traceState;
            }
        }

        var body = _formatter.EncodeStructuredModeMessage(cloudEvent, out _);
        return new CallbackEvent(id, routingKey, time, body, callback.RequestId, callback.ConversationId,
            callback.OverallStatusCode, !read.IsValid);
    }
}
