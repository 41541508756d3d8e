using System.Diagnostics;
using System.Net;
using System.Text;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Relay.Infrastructure;

namespace Relay.Telemetry;

/// <summary>
/// Nothing exported (spans, metrics, logs) carries a callback token, a password or a form field value
/// other than the documented attributes (RequestID, ConversationID, OverallStatusCode), at every log level.
/// </summary>
public sealed class ExportedDataTests
{
    private const string Marker = "FIELD-SECRET";
    private const string User = "relay-telemetry-test";
    private const string Password = "pw-0d6c5f3a-never-exported";

    [Fact]
    public async Task Telemetry_AtEveryLevel_CarriesNoSecretAndNoUndocumentedFieldValue()
    {
        await BrokerControl.RunAsync("delete_user", User).ContinueWith(_ => { }, TaskScheduler.Default);
        await BrokerControl.RunAsync("add_user", User, Password);
        await BrokerControl.RunAsync("set_permissions", "-p", "/", User, "'.*'", "'.*'", "'.*'");
        var spans = new List<Activity>();
        var logs = new List<LogRecord>();
        var metrics = new List<Metric>();
        try
        {
            await using var relay = await RelayServer.StartAsync(
                settings =>
                {
                    settings["Relay:RabbitMq:Uri"] = $"amqp://{User}:{Password}@127.0.0.1:5672/";
                    settings["Logging:LogLevel:Default"] = "Trace";
                    // A provider-specific rule wins over a rule for all providers: no such rule may export a token.
                    settings["Logging:OpenTelemetry:LogLevel:Default"] = "Trace";
                },
                builder =>
                {
                    builder.Services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(spans));
                    builder.Services.ConfigureOpenTelemetryLoggerProvider(logging => logging.AddInMemoryExporter(logs));
                    builder.Services.ConfigureOpenTelemetryMeterProvider(meters => meters.AddInMemoryExporter(metrics));
                });

            string fields = CallbackForms.Encode(
                ("RequestID", "documented-request-id"), ("ConversationID", "documented-conversation"),
                ("OverallStatusCode", "Error"), ("StatusCode", $"{Marker}-status-code"),
                ("StatusMessage", $"{Marker}-status-message"), ("ErrorCode", "987654321"),
                ("RequestType", $"{Marker}-request-type"), ("ResultType", $"{Marker}-result-type"),
                ("ResultDetailXML", $"<Result><StatusCode>{Marker}-xml</StatusCode></Result>"), ("SequenceCode", $"{Marker}-sequence"));
            using var client = relay.CreateClient();
            using (var accepted = await relay.PostCallbackAsync(fields))
            using (var invalid = await relay.PostCallbackAsync($"StatusMessage={Marker}-invalid"))
            using (var conflicting = await relay.PostCallbackAsync($"RequestID=a&StatusCode={Marker}-1&StatusCode={Marker}-2"))
            using (var unsupported = await client.PostAsync(relay.CallbackPath, new StringContent($"StatusMessage={Marker}-415", Encoding.UTF8, "text/plain")))
            using (var wrongToken = await client.PostAsync("/marketing-cloud/callbacks/" + RelayServer.Token[..^4] + "beef", new StringContent(fields, Encoding.UTF8, "application/x-www-form-urlencoded")))
            using (var trailing = await client.PostAsync(relay.CallbackPath + "/more", new StringContent(fields, Encoding.UTF8, "application/x-www-form-urlencoded")))
            {
                Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
                Assert.Equal(HttpStatusCode.OK, invalid.StatusCode);
                Assert.Equal(HttpStatusCode.OK, conflicting.StatusCode);
                Assert.Equal(HttpStatusCode.UnsupportedMediaType, unsupported.StatusCode);
                Assert.Equal(HttpStatusCode.NotFound, wrongToken.StatusCode);
                Assert.Equal(HttpStatusCode.NotFound, trailing.StatusCode);
            }

            Assert.Equal(EdgeAnswer.Closed, await EdgeAnswer.OfAsync(() => relay.PostCallbackAsync(fields, from: IPAddress.Parse("127.0.0.2"))));
            relay.Services.GetRequiredService<MeterProvider>().ForceFlush();
        }
        finally
        {
            await BrokerControl.RunAsync("delete_user", User);
        }

        var exported = new List<string>();
        lock (spans)
        {
            foreach (var span in spans)
            {
                exported.Add(span.DisplayName);
                exported.Add(span.StatusDescription ?? string.Empty);
                exported.AddRange(span.TagObjects.Select(tag => $"{tag.Key}={tag.Value}"));
                exported.AddRange(span.Events.SelectMany(e => e.Tags.Select(tag => $"{e.Name} {tag.Key}={tag.Value}")));
            }
        }

        lock (logs)
        {
            foreach (var log in logs)
            {
                exported.Add(log.FormattedMessage ?? string.Empty);
                exported.Add(log.Exception?.ToString() ?? string.Empty);
                exported.AddRange(log.Attributes?.Select(a => $"{a.Key}={a.Value}") ?? []);
                log.ForEachScope(
                    (scope, state) =>
                    {
                        foreach (var item in scope)
                        {
                            state.Add($"{item.Key}={item.Value}");
                        }
                    },
                    exported);
            }
        }

        foreach (var metric in metrics)
        {
            exported.Add(metric.Name);
            foreach (ref readonly var point in metric.GetMetricPoints())
            {
                foreach (var tag in point.Tags)
                {
                    exported.Add($"{tag.Key}={tag.Value}");
                }
            }
        }

        Assert.True(exported.Count > 100, "too little was exported to prove anything");
        Assert.Contains(exported, text => text.Contains("documented-request-id", StringComparison.Ordinal));
        Assert.DoesNotContain(exported, text => text.Contains(Marker, StringComparison.Ordinal));
        Assert.DoesNotContain(exported, text => text.Contains("987654321", StringComparison.Ordinal));
        Assert.DoesNotContain(exported, text => text.Contains(Password, StringComparison.Ordinal));
        Assert.Empty(exported.Where(text => text.Contains(RelayServer.Token[..^4], StringComparison.Ordinal)).Distinct());
        Assert.Contains(exported, text => text.Contains("/marketing-cloud/callbacks/{token}", StringComparison.Ordinal));
    }
}
