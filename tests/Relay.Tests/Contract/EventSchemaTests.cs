using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;
using Relay.Core.Callbacks;
using Relay.Core.Ens;
using Relay.Core.Events;
using Relay.Core.Reconciliation;
using Relay.Fuzz;
using Relay.Infrastructure;

namespace Relay.Contract;

/// <summary>
/// The event schemas (docs/consumers/contract/schemas) are draft 2020-12 schemas, every kind of event the
/// core writes conforms to its own, and they are not vacuous: what breaks the contract is rejected.
/// </summary>
public sealed class EventSchemaTests
{
    private static readonly DateTimeOffset At = new(2026, 12, 7, 12, 0, 0, 0, TimeSpan.Zero);
    private static readonly CallbackEventFactory Callbacks = new(CallbackEventOptions.Default with { Source = "/marketing-cloud/callbacks/test" });
    private const string TraceParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

    [Fact]
    public void EverySchema_IsAValidDraft202012Schema()
    {
        var options = new EvaluationOptions { OutputFormat = OutputFormat.List };
        foreach (string file in Directory.GetFiles(EventContract.SchemaFolder, "*.schema.json"))
        {
            using var schema = JsonDocument.Parse(File.ReadAllText(file));
            Assert.Equal("https://json-schema.org/draft/2020-12/schema", schema.RootElement.GetProperty("$schema").GetString());
            var result = MetaSchemas.Draft202012.Evaluate(schema.RootElement, options);
            Assert.True(result.IsValid, $"{Path.GetFileName(file)} is not a valid draft 2020-12 schema");
        }

        Assert.Equal(EventContract.Kinds.Length + 1, Directory.GetFiles(EventContract.SchemaFolder, "*.schema.json").Length);
    }

    public static TheoryData<string, string> EveryKind()
    {
        var form = CallbackFormReader.Read(Encoding.UTF8.GetBytes(CallbackForms.WithErrors()));
        var callback = Callbacks.Create(form, Encoding.UTF8.GetBytes(CallbackForms.WithErrors()), At, TraceParent);
        byte[] raw = [0x52, 0x65, 0xff, 0x00];
        var invalid = Callbacks.Create(CallbackFormReader.Read(raw), raw, At);
        var result = new ResultMessage(new MarketingCloudCallback("rid-1", "cid-1", "OK", "OK", "Created", null, "Asynchronous", "Asynchronous",
            "<CreateResponse><Results><StatusCode>OK</StatusCode></Results></CreateResponse>", "1"), null);
        var recovered = Callbacks.CreateRecovered(result, At, TraceParent);
        var missing = Callbacks.CreateMissing(new Expectation("test", "rid-2", "OnError", null, At.AddDays(-30), null), At.AddDays(-30), 42, At.AddMinutes(-1), At);
        var ensBatch = EnsBodyReader.Read("""[{"eventCategoryType":"TransactionalSendEvents.EmailSent","timestampUTC":1796637600000,"info":{"a":[1]}},{"x":1}]"""u8);
        var ens = new EnsEventFactory("/marketing-cloud/callbacks/test");
        var verification = EnsBodyReader.Read("""{"callbackId":"c-1","verificationKey":"k-1"}"""u8).Verification!;
        return new TheoryData<string, string>
        {
            { "callback", Text(callback) },
            { "invalid", Text(invalid) },
            { "recovered", Text(recovered) },
            { "missing", Text(missing) },
            { "missing", Text(Callbacks.CreateMissing(new Expectation("test", "rid-3"), At.AddDays(-30), 0, null, At)) },
            { "truncated", Text(CallbackEventStandIn.Create(callback)) },
            { "truncated", Text(CallbackEventStandIn.Create(invalid)) },
            { "truncated", Text(CallbackEventStandIn.Create(ens.Create(ensBatch.Notifications[0], At))) },
            { "ens-event", Text(ens.Create(ensBatch.Notifications[0], At, TraceParent)) },
            { "ens-event", Text(ens.Create(ensBatch.Notifications[1], At)) },
            { "ens-verification", Text(ens.CreateVerification(verification, At)) },
        };
    }

    [Theory]
    [MemberData(nameof(EveryKind))]
    public void EveryKindTheCoreWrites_ConformsToItsSchema(string kind, string json)
    {
        using var document = JsonDocument.Parse(json);
        Assert.Equal(kind, EventContract.KindOf(document.RootElement));
        Assert.Null(EventContract.Problem(kind, document.RootElement));
    }

    [Theory]
    [InlineData("remove", "id")]
    [InlineData("remove", "specversion")]
    [InlineData("remove", "source")]
    [InlineData("remove", "time")]
    [InlineData("set", "specversion", "0.3")]
    [InlineData("set", "id", "42")]
    [InlineData("set", "time", "yesterday")]
    [InlineData("set", "datacontenttype", "text/plain")]
    [InlineData("set", "traceparent", "not-a-traceparent")]
    [InlineData("set", "type", "com.example.other")]
    [InlineData("rename", "source", "Source")]
    [InlineData("rename", "subject", "SUBJECT")]
    [InlineData("set", "extension_with_underscore", "x")]
    [InlineData("set", "unknownattribute", "x")]
    [InlineData("data", "requestId")]
    [InlineData("data", "results")]
    [InlineData("dataset", "errorCode", "true")]
    [InlineData("dataset", "results", "{}")]
    [InlineData("dataset", "unknownField", "1")]
    public void WhatBreaksTheContract_IsRejected(string change, string name, string? value = null)
    {
        var form = CallbackFormReader.Read(Encoding.UTF8.GetBytes(CallbackForms.WithErrors()));
        var root = JsonNode.Parse(Text(Callbacks.Create(form, Encoding.UTF8.GetBytes(CallbackForms.WithErrors()), At, TraceParent)))!.AsObject();
        Assert.Null(EventContract.Problem("callback", JsonDocument.Parse(root.ToJsonString()).RootElement));
        var data = root["data"]!.AsObject();
        switch (change)
        {
            case "remove":
                root.Remove(name);
                break;
            case "set":
                root[name] = value;
                break;
            case "rename":
                var moved = root[name]!.DeepClone();
                root.Remove(name);
                root[value!] = moved;
                break;
            case "data":
                data.Remove(name);
                break;
            case "dataset":
                data[name] = JsonNode.Parse(value!);
                break;
        }

        using var broken = JsonDocument.Parse(root.ToJsonString());
        Assert.NotNull(EventContract.Problem("callback", broken.RootElement));
    }

    [Fact]
    public void EachKindsSchema_RefusesTheOthersEvents()
    {
        var samples = EveryKind().Select(row => ((string)row[0], (string)row[1])).ToList();
        foreach (var (kind, json) in samples)
        {
            using var document = JsonDocument.Parse(json);
            // An ENS event's data is whatever ENS sent, so an ENS event's stand-in is an ENS event too.
            foreach (string other in EventContract.Kinds.Where(other => other != kind && (kind, other) is not ("truncated", "ens-event")))
            {
                Assert.True(EventContract.Problem(other, document.RootElement) is not null, $"the '{other}' schema accepts a '{kind}' event");
            }
        }
    }

    private static string Text(CallbackEvent callbackEvent) => Encoding.UTF8.GetString(callbackEvent.Body.Span);
}
