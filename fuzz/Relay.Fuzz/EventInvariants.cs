using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using Relay.Core.Events;

namespace Relay.Fuzz;

/// <summary>What every event the core writes must be, whatever the input: UTF-8 JSON with unique keys, valid against the schema of its kind, under a routing key AMQP takes.</summary>
internal static class EventInvariants
{
    public static void Check(CallbackEvent callbackEvent, string expectedKind)
    {
        var body = callbackEvent.Body.Span;
        InvariantException.Unless(Utf8.IsValid(body), "the event is not UTF-8");
        InvariantException.Unless(Encoding.UTF8.GetByteCount(callbackEvent.RoutingKey) <= 255, $"the routing key is {callbackEvent.RoutingKey.Length} characters, over AMQP's 255 bytes");
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body.ToArray(), new JsonDocumentOptions { AllowDuplicateProperties = false, MaxDepth = 1024 });
        }
        catch (JsonException ex)
        {
            throw new InvariantException($"the event is not JSON with unique keys: {ex.Message}");
        }

        using (document)
        {
            string kind = EventContract.KindOf(document.RootElement);
            InvariantException.Unless(kind == expectedKind, $"the event is a '{kind}' event, not '{expectedKind}'");
            string? problem = EventContract.RoutingKeyProblem(callbackEvent.RoutingKey, kind) ?? EventContract.Problem(kind, document.RootElement);
            InvariantException.Unless(problem is null, problem!);
            InvariantException.Unless(document.RootElement.GetProperty("id").GetString() == callbackEvent.Id, "the event's id is not the message's");
        }
    }
}
