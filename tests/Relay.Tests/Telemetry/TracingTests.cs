using System.Diagnostics;
using System.Net;
using System.Text;
using OpenTelemetry.Logs;
using OpenTelemetry.Trace;
using RabbitMQ.Client;
using Relay.Infrastructure;
using Relay.Samples.Consumer;

namespace Relay.Telemetry;

/// <summary>One trace from Marketing Cloud's POST to the consumer that processed the event.</summary>
public sealed class TracingTests : IAsyncLifetime
{
    private readonly List<Activity> _spans = [];
    private readonly List<LogRecord> _logs = [];
    private RelayServer _relay = null!;
    private EventQueue _queue = null!;

    public async Task InitializeAsync()
    {
        _relay = await RelayServer.StartAsync(
            settings => settings["Logging:LogLevel:Relay"] = "Debug",
            builder =>
            {
                builder.Services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(_spans));
                builder.Services.ConfigureOpenTelemetryLoggerProvider(logging => logging.AddInMemoryExporter(_logs));
            });
        _queue = await EventQueue.BindAsync(_relay.Exchange);
    }

    public async Task DisposeAsync()
    {
        await _queue.DisposeAsync();
        await _relay.DisposeAsync();
    }

    [Fact]
    public async Task Callback_WithAttackerSizedIds_PutsAtMost256CharactersOfEachOnTheSpan()
    {
        string requestId = "long-" + new string('r', 20_000);
        string form = CallbackForms.Encode(("RequestID", requestId), ("ConversationID", new string('c', 20_000)),
            ("OverallStatusCode", new string('s', 20_000)), ("StatusCode", "OK"), ("RequestType", "Asynchronous"), ("ResultType", "Asynchronous"));
        using (var response = await _relay.PostCallbackAsync(form))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        await _queue.ReceiveAsync();
        var server = await EndedSpanAsync(_spans, span => span.Kind == ActivityKind.Server
            && ((string?)span.GetTagItem("marketing_cloud.request_id"))?.StartsWith("long-", StringComparison.Ordinal) == true);
        Assert.Equal(requestId[..256], server.GetTagItem("marketing_cloud.request_id"));
        Assert.Equal(256, ((string)server.GetTagItem("marketing_cloud.conversation_id")!).Length);
        Assert.Equal(256, ((string)server.GetTagItem("marketing_cloud.overall_status_code")!).Length);
    }

    [Fact]
    public async Task Callback_ServerPublishAndConsumerSpans_ShareOneTrace()
    {
        string requestId = "trace-" + Guid.NewGuid().ToString("N");
        using (var response = await _relay.PostCallbackAsync(CallbackForms.WithErrors(requestId)))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var message = await _queue.ReceiveAsync();
        var server = await EndedSpanAsync(_spans, span => span.Kind == ActivityKind.Server && (string?)span.GetTagItem("marketing_cloud.request_id") == requestId);
        var trace = server.TraceId;

        // The server span carries what an operator searches by, never the body.
        Assert.Equal("2f1c9a7e-55b0-4d3b-8c61-7a0e4b9d3c22", server.GetTagItem("marketing_cloud.conversation_id"));
        Assert.Equal("Has Errors", server.GetTagItem("marketing_cloud.overall_status_code"));
        Assert.Equal(RelayServer.EventSource, server.GetTagItem("relay.source"));

        // Relay's publish span: child of the server span, messaging conventions, confirmed.
        var publish = Snapshot().Single(span => span.Source.Name == "Relay" && span.TraceId == trace);
        Assert.Equal(ActivityKind.Producer, publish.Kind);
        Assert.Equal(server.SpanId, publish.ParentSpanId);
        Assert.Equal($"publish {_relay.Exchange}", publish.DisplayName);
        Assert.Equal("rabbitmq", publish.GetTagItem("messaging.system"));
        Assert.Equal("send", publish.GetTagItem("messaging.operation.type"));
        Assert.Equal(_relay.Exchange, publish.GetTagItem("messaging.destination.name"));
        Assert.Equal("callback.has-errors", publish.GetTagItem("messaging.rabbitmq.destination.routing_key"));
        Assert.Equal(message.MessageId, publish.GetTagItem("messaging.message.id"));
        Assert.NotEqual(ActivityStatusCode.Error, publish.Status);

        // The trace goes on in the message: its AMQP header and the event's own traceparent.
        Assert.Equal(trace.ToHexString(), message.Headers["traceparent"].Split('-')[1]);
        using (var json = message.Json())
        {
            Assert.Equal(trace.ToHexString(), json.RootElement.GetProperty("traceparent").GetString()!.Split('-')[1]);
        }

        // The sample consumer's processing span joins the same trace.
        var consumed = new List<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == EventProcessor.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = consumed.Add,
        };
        ActivitySource.AddActivityListener(listener);
        var processor = new EventProcessor((_, _) => Task.CompletedTask);
        var properties = new BasicProperties
        {
            ContentType = message.ContentType,
            MessageId = message.MessageId,
            Headers = message.Headers.ToDictionary(header => header.Key, header => (object?)Encoding.UTF8.GetBytes(header.Value)),
        };
        Assert.True(await processor.ProcessAsync("team-queue", message.RoutingKey, properties, message.Body));
        Assert.False(await processor.ProcessAsync("team-queue", message.RoutingKey, properties, message.Body));
        Assert.All(consumed, span => Assert.Equal(trace, span.TraceId));
        Assert.Equal(ActivityKind.Consumer, consumed[0].Kind);
    }

    [Fact]
    public async Task Callback_LogRecords_CarryTheRequestsTraceId()
    {
        string requestId = "log-" + Guid.NewGuid().ToString("N");
        using (var response = await _relay.PostCallbackAsync(CallbackForms.Success(requestId)))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var server = await EndedSpanAsync(_spans, span => span.Kind == ActivityKind.Server && (string?)span.GetTagItem("marketing_cloud.request_id") == requestId);
        LogRecord[] logs;
        lock (_logs)
        {
            logs = [.. _logs];
        }

        var accepted = logs.Where(log => log.EventId.Id == 2001 && log.TraceId == server.TraceId).ToList();
        Assert.Single(accepted);
        Assert.Equal(server.SpanId, accepted[0].SpanId);
    }

    [Fact]
    public async Task OutboxReplay_IsPublishedInASpanLinkedToTheRequest()
    {
        // The broker is down from this Relay's point of view: nothing listens on port 1.
        var spans = new List<Activity>();
        await using var relay = await RelayServer.StartAsync(
            settings => settings["Relay:RabbitMq:Uri"] = "amqp://guest:guest@127.0.0.1:1/",
            builder => builder.Services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(spans)),
            waitUntilReady: false);
        string requestId = "replay-" + Guid.NewGuid().ToString("N");
        using (var response = await relay.PostCallbackAsync(CallbackForms.Success(requestId)))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var server = await EndedSpanAsync(spans, span => span.Kind == ActivityKind.Server && (string?)span.GetTagItem("marketing_cloud.request_id") == requestId);

        // The outbox kept the request's trace context with the event...
        var outbox = relay.Services.GetRequiredService<Outbox.LocalOutbox>();
        var entry = Assert.Single(outbox.ReadOldest(10));
        Assert.Equal(server.Id, entry.Event.TraceParent);

        // ...and forwarding it, as the forwarder does through the same publisher, starts a new trace
        // linked to the request's span.
        var publisher = _relay.Services.GetRequiredService<Publishing.IEventPublisher>();
        Assert.Equal(Publishing.PublishOutcome.Confirmed, await publisher.PublishAsync(entry.Event, fromStore: true));
        var replay = Snapshot().Single(span => span.Source.Name == "Relay" && span.Links.Any(link => link.Context.SpanId == server.SpanId));
        Assert.NotEqual(server.TraceId, replay.TraceId);
        Assert.Equal(server.TraceId, replay.Links.Single().Context.TraceId);
        Assert.Equal(true, replay.GetTagItem("relay.outbox.replay"));
        Assert.Equal(entry.Event.Id, (await _queue.ReceiveAsync()).MessageId);
    }

    private List<Activity> Snapshot()
    {
        lock (_spans)
        {
            return [.. _spans];
        }
    }

    /// <summary>
    /// The one span that matches, once it has ended: a server span ends after its response has gone, so
    /// it may be exported a moment after the client has the answer.
    /// </summary>
    private static async Task<Activity> EndedSpanAsync(List<Activity> spans, Func<Activity, bool> match)
    {
        List<Activity> Matching()
        {
            lock (spans)
            {
                return [.. spans.Where(match)];
            }
        }

        var found = await Eventually.ValueAsync(TimeSpan.FromSeconds(10), () => Task.FromResult(Matching()), matching => matching.Count > 0);
        return Assert.Single(found);
    }
}
