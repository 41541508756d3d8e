using System.Text.Json;
using Json.Schema;

namespace Relay.Fuzz;

/// <summary>
/// The published contract (docs/consumers/contract/schemas, JSON Schema draft 2020-12, copied beside this
/// assembly) as a judge: the fuzz targets check every event the core writes against the schema of its
/// kind, and so do the integration tests for every event they receive from Relay's exchange, its archive
/// or a replay, so a writer change that breaks the contract fails.
/// </summary>
public static class EventContract
{
    public static readonly string SchemaFolder = Path.Combine(AppContext.BaseDirectory, "schemas");

    private static readonly Lazy<IReadOnlyDictionary<string, JsonSchema>> Schemas = new(Load);

    private static readonly EvaluationOptions Evaluation = new() { OutputFormat = OutputFormat.List, RequireFormatValidation = true };

    /// <summary>The kinds, each with its schema file <c>{kind}.schema.json</c>.</summary>
    public static readonly string[] Kinds = ["callback", "recovered", "invalid", "truncated", "missing", "ens-event", "ens-verification"];

    /// <summary>The kind of an event, from what it says of itself: its type, its recovery, its data.</summary>
    public static string KindOf(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            return "callback";
        }

        var data = root.TryGetProperty("data", out var value) && value.ValueKind == JsonValueKind.Object ? value : default;
        string? type = root.TryGetProperty("type", out var typed) && typed.ValueKind == JsonValueKind.String ? typed.GetString() : null;
        return data.ValueKind == JsonValueKind.Object && data.TryGetProperty("truncated", out var flag) && flag.ValueKind == JsonValueKind.True ? "truncated"
            : type == "com.salesforce.marketingcloud.async.missing" ? "missing"
            : type == "com.salesforce.marketingcloud.ens.verification" ? "ens-verification"
            : type?.StartsWith("com.salesforce.marketingcloud.ens.", StringComparison.Ordinal) == true ? "ens-event"
            : root.TryGetProperty("recovery", out _) ? "recovered"
            : data.ValueKind == JsonValueKind.Object && data.TryGetProperty("invalidReason", out _) ? "invalid"
            : "callback";
    }

    /// <summary>
    /// Why an event's routing key is not its kind's, or null; only for keys of Relay's families (a replay
    /// to a queue arrives under the queue's name).
    /// </summary>
    public static string? RoutingKeyProblem(string routingKey, string kind)
    {
        if (!routingKey.StartsWith("callback.", StringComparison.Ordinal) && !routingKey.StartsWith("ens.", StringComparison.Ordinal))
        {
            return null;
        }

        bool fits = kind switch
        {
            "invalid" => routingKey == "callback.invalid",
            "missing" => routingKey == "callback.missing",
            "ens-verification" => routingKey == "ens.verification",
            "ens-event" => routingKey.StartsWith("ens.", StringComparison.Ordinal) && routingKey != "ens.verification",
            "callback" or "recovered" => routingKey.StartsWith("callback.", StringComparison.Ordinal) && routingKey is not ("callback.invalid" or "callback.missing"),
            _ => true,
        };
        return fits ? null : $"a '{kind}' event under routing key '{routingKey}'";
    }

    /// <summary>Why the event does not conform to the schema of its kind, or null when it does.</summary>
    public static string? Problem(string routingKey, ReadOnlySpan<byte> body)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body.ToArray(), new JsonDocumentOptions { AllowDuplicateProperties = false });
        }
        catch (JsonException ex)
        {
            return $"not JSON with unique keys: {ex.Message}";
        }

        using (document)
        {
            string kind = KindOf(document.RootElement);
            return RoutingKeyProblem(routingKey, kind) ?? Problem(kind, document.RootElement);
        }
    }

    public static string? Problem(string kind, JsonElement root)
    {
        var results = Schemas.Value[kind].Evaluate(root, Evaluation);
        if (results.IsValid)
        {
            return null;
        }

        var errors = (results.Details ?? []).Where(detail => detail.Errors is { Count: > 0 })
            .SelectMany(detail => detail.Errors!.Select(error => $"{detail.InstanceLocation}: {error.Key} {error.Value}"))
            .Take(5);
        return $"not a valid '{kind}' event ({kind}.schema.json): " + string.Join("; ", errors);
    }

    private static Dictionary<string, JsonSchema> Load()
    {
        var build = new BuildOptions { SchemaRegistry = new SchemaRegistry() };
        JsonSchema.FromFile(Path.Combine(SchemaFolder, "envelope.schema.json"), build);
        return Kinds.ToDictionary(kind => kind, kind => JsonSchema.FromFile(Path.Combine(SchemaFolder, kind + ".schema.json"), build));
    }
}
