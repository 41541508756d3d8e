using Relay.Core.Callbacks;
using Relay.Core.Reconciliation;

namespace Relay.Core.Events;

/// <summary>Turns what was read from a callback's form into the CloudEvent consumers receive.</summary>
public sealed class CallbackEventFactory
{
    private readonly CallbackEventOptions _options;

    public CallbackEventFactory(CallbackEventOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
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
        var time = ToMilliseconds(receivedAt);

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
            _options.ResultDetailLimits,
            read.Describe(),
            read.IsValid ? default : rawBody.ToArray());

        // A RequestID with control characters is no CloudEvents subject; such a callback is invalid anyway.
        string? subject = CallbackFormReader.HasControlCharacter(callback.RequestId) ? null : callback.RequestId;
        var body = CloudEventJsonWriter.Write(id, _options.Source, time, subject, traceParent, traceState, data, ExpectedEventBytes(rawBody.Length));
        return new CallbackEvent(id, routingKey, time, body, callback.RequestId, callback.ConversationId,
            callback.OverallStatusCode)
        {
            TraceParent = traceParent,
        };
    }

    /// <summary>
    /// The event a call's callback would have been, built from the ResultMessage Marketing Cloud keeps for it:
    /// the same envelope, routing key and data, the id derived the same way from its fields, and the
    /// <c>recovery</c> attribute <c>resultmessage</c>.
    /// </summary>
    public CallbackEvent CreateRecovered(ResultMessage result, DateTimeOffset recoveredAt, string? traceParent = null, string? traceState = null)
    {
        ArgumentNullException.ThrowIfNull(result);
        var fields = result.Fields;
        var time = ToMilliseconds(recoveredAt);
        string id = EventIds.ForCallback(_options.Source, fields);
        var data = new CallbackEventData(fields, _options.ResultDetailLimits, null, default, CallbackEventOptions.RecoveredFromResultMessage);
        string? subject = fields.RequestId is { } requestId && !CallbackFormReader.HasControlCharacter(requestId) ? requestId : null;
        int expected = ExpectedEventBytes(fields.ResultDetailXml?.Length ?? 0);
        var body = CloudEventJsonWriter.Write(id, _options.Source, time, subject, traceParent, traceState, data, expected);
        return new CallbackEvent(id, RoutingKeys.ForStatus(fields.OverallStatusCode), time, body, fields.RequestId, fields.ConversationId,
            fields.OverallStatusCode)
        {
            TraceParent = traceParent,
        };
    }

    /// <summary>The <c>callback.missing</c> event of an expected call that neither a callback nor a final ResultMessage answered.</summary>
    public CallbackEvent CreateMissing(Expectation expectation, DateTimeOffset registeredAt, int retrieves, DateTimeOffset? lastRetrieveAt,
        DateTimeOffset now, string? traceParent = null)
    {
        ArgumentNullException.ThrowIfNull(expectation);
        var time = ToMilliseconds(now);
        string id = EventIds.ForMissing(_options.Source, expectation.RequestId);
        var data = new MissingEventData(expectation, registeredAt, retrieves, lastRetrieveAt);
        var body = CloudEventJsonWriter.Write(id, _options.Source, time, expectation.RequestId, traceParent, null, data, 1024);
        return new CallbackEvent(id, RoutingKeys.Missing, time, body, expectation.RequestId, expectation.ConversationId, null)
        {
            Type = CallbackEventOptions.MissingEventType,
            TraceParent = traceParent,
        };
    }

    private static DateTimeOffset ToMilliseconds(DateTimeOffset at) =>
        new(at.UtcTicks - (at.UtcTicks % TimeSpan.TicksPerMillisecond), TimeSpan.Zero);

    // An event is about 1.3 times its form-encoded callback (the XML's escaped text beside its results, both
    // smaller than their percent-encoding); a raw body kept whole is about its size again.
    private static int ExpectedEventBytes(int bodyBytes) => (int)Math.Min(int.MaxValue / 2, (bodyBytes * 3L / 2) + 4096);
}
