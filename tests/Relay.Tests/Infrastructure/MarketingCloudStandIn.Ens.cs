using System.Collections.Concurrent;
using System.Text.Json.Nodes;

namespace Relay.Infrastructure;

/// <summary>
/// The stand-in's ENS REST endpoints under <c>rest_instance_url</c>: <c>ens-callbacks</c> (create, list),
/// <c>ens-subscriptions</c> (create, list) and <c>ens-verify</c>, each checking the bearer token.
/// </summary>
internal sealed partial class MarketingCloudStandIn
{
    private readonly ConcurrentQueue<JsonObject> _ensCallbacks = new();
    private readonly ConcurrentQueue<JsonObject> _ensSubscriptions = new();
    private readonly ConcurrentQueue<string> _verifications = new();
    private int _verifyFailures;

    /// <summary>The bodies posted to ens-verify with a valid token, in order.</summary>
    public IReadOnlyCollection<string> Verifications => [.. _verifications];

    /// <summary>The next this many ens-verify calls are answered 500.</summary>
    public void FailVerifications(int count) => Volatile.Write(ref _verifyFailures, count);

    public IReadOnlyCollection<JsonObject> EnsSubscriptions => [.. _ensSubscriptions];

    private void MapEns(WebApplication app)
    {
        app.MapPost("/rest/platform/v1/ens-verify", VerifyAsync);
        app.MapPost("/rest/platform/v1/ens-callbacks", CreateCallbackAsync);
        app.MapGet("/rest/platform/v1/ens-callbacks", context => ListAsync(context, _ensCallbacks));
        app.MapPost("/rest/platform/v1/ens-subscriptions", SubscribeAsync);
        app.MapGet("/rest/platform/v1/ens-subscriptions", context => ListAsync(context, _ensSubscriptions));
    }

    private bool Authorized(HttpContext context)
    {
        string header = context.Request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.Ordinal) && _tokens.TryGetValue(header[7..], out var expires) && expires > DateTimeOffset.UtcNow)
        {
            return true;
        }

        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        return false;
    }

    private async Task VerifyAsync(HttpContext context)
    {
        if (!Authorized(context))
        {
            return;
        }

        if (Interlocked.Decrement(ref _verifyFailures) >= 0)
        {
            context.Response.StatusCode = StatusCodes.Status500InternalServerError;
            await context.Response.WriteAsJsonAsync(new JsonObject { ["message"] = "Internal error" });
            return;
        }

        using var reader = new StreamReader(context.Request.Body);
        string body = await reader.ReadToEndAsync();
        var json = JsonNode.Parse(body)!.AsObject();
        if (!_ensCallbacks.Any(callback => (string?)callback["callbackId"] == (string?)json["callbackId"]))
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await context.Response.WriteAsJsonAsync(new JsonObject { ["message"] = "Callback not found.", ["errorcode"] = 10001 });
            return;
        }

        _verifications.Enqueue(body);
        await context.Response.WriteAsJsonAsync(new JsonObject { ["callbackId"] = (string?)json["callbackId"], ["verified"] = true });
    }

    private async Task CreateCallbackAsync(HttpContext context)
    {
        if (!Authorized(context))
        {
            return;
        }

        var requested = (await JsonNode.ParseAsync(context.Request.Body))!.AsArray();
        var created = new JsonArray();
        foreach (var item in requested)
        {
            string url = (string)item!["url"]!;
            if (!url.StartsWith("https://", StringComparison.Ordinal) || new Uri(url).Port != 443 || url.Contains('?', StringComparison.Ordinal))
            {
                context.Response.StatusCode = StatusCodes.Status400BadRequest;
                await context.Response.WriteAsJsonAsync(new JsonObject { ["message"] = "The callback url is not valid.", ["errorcode"] = 10002 });
                return;
            }

            var callback = new JsonObject
            {
                ["callbackId"] = Guid.NewGuid().ToString(),
                ["callbackName"] = (string?)item["callbackName"],
                ["url"] = url,
                ["maxBatchSize"] = (int?)item["maxBatchSize"] ?? 1000,
            };
            _ensCallbacks.Enqueue(callback);
            var answer = callback.DeepClone().AsObject();
            answer["signatureKey"] = Convert.ToBase64String(Guid.NewGuid().ToByteArray()) + Convert.ToBase64String(Guid.NewGuid().ToByteArray());
            created.Add(answer);
        }

        await context.Response.WriteAsJsonAsync(created);
    }

    private async Task SubscribeAsync(HttpContext context)
    {
        if (!Authorized(context))
        {
            return;
        }

        var requested = (await JsonNode.ParseAsync(context.Request.Body))!.AsArray();
        var created = new JsonArray();
        foreach (var item in requested)
        {
            var subscription = item!.DeepClone().AsObject();
            if (!_ensCallbacks.Any(callback => (string?)callback["callbackId"] == (string?)subscription["callbackId"]))
            {
                context.Response.StatusCode = StatusCodes.Status400BadRequest;
                await context.Response.WriteAsJsonAsync(new JsonObject { ["message"] = "Callback not found.", ["errorcode"] = 10001 });
                return;
            }

            subscription["subscriptionId"] = Guid.NewGuid().ToString();
            _ensSubscriptions.Enqueue(subscription);
            created.Add(subscription.DeepClone());
        }

        await context.Response.WriteAsJsonAsync(created);
    }

    private async Task ListAsync(HttpContext context, ConcurrentQueue<JsonObject> items)
    {
        if (!Authorized(context))
        {
            return;
        }

        await context.Response.WriteAsJsonAsync(new JsonArray([.. items.Select(item => item.DeepClone())]));
    }

    /// <summary>Registers a callback as created, so that its verification can be verified.</summary>
    public string AddEnsCallback(string url)
    {
        string id = Guid.NewGuid().ToString();
        _ensCallbacks.Enqueue(new JsonObject { ["callbackId"] = id, ["callbackName"] = "test", ["url"] = url, ["maxBatchSize"] = 1000 });
        return id;
    }
}
