using System.Buffers;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Relay.Callbacks;
using Relay.MarketingCloud;

namespace Relay.Ens;

/// <summary>
/// What <c>Relay ens</c> does with a source's credentials: lists the account's ENS callbacks and
/// subscriptions, creates a callback for Relay's ENS URL, subscribes a callback to event categories.
/// </summary>
internal sealed class EnsAdministration : IDisposable
{
    public const string CallbacksPath = "platform/v1/ens-callbacks";
    public const string SubscriptionsPath = "platform/v1/ens-subscriptions";

    private readonly CallbackOptions _callbacks;
    private readonly EnsOptions _ens;
    private readonly TimeProvider _time;
    private readonly ILogger<MarketingCloudApi> _logger;
    private readonly HttpClient _http = MarketingCloudApi.CreateHttpClient();

    public EnsAdministration(IOptions<CallbackOptions> callbacks, IOptions<EnsOptions> ens, TimeProvider time, ILogger<MarketingCloudApi> logger)
    {
        _callbacks = callbacks.Value;
        _ens = ens.Value;
        _time = time;
        _logger = logger;
    }

    /// <summary>Why the source cannot be used (named by its argument), or null.</summary>
    public string? Problem(string source) =>
        !_callbacks.Sources.TryGetValue(source, out var options)
            ? $"--source: '{source}' is not configured (Relay:Callbacks:Sources)"
            : !options.MarketingCloud.IsConfigured
                ? $"--source: '{source}' has no Relay:Callbacks:Sources:{source}:MarketingCloud credentials to call Marketing Cloud with"
                : null;

    /// <summary>The ENS URL of <paramref name="source"/> at <paramref name="baseUrl"/>, or why it cannot be one ENS accepts.</summary>
    public string? CallbackUrl(string source, string baseUrl, out string? problem)
    {
        problem = null;
        if (!Uri.TryCreate(baseUrl, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttps || !uri.IsDefaultPort
            || uri.Query.Length > 0 || uri.Fragment.Length > 0 || uri.UserInfo.Length > 0)
        {
            problem = $"--url: '{baseUrl}' is not https://host[/path] (ENS takes no port, query or fragment)";
            return null;
        }

        string token = _callbacks.Sources[source].Tokens.FirstOrDefault() ?? string.Empty;
        return uri.GetLeftPart(UriPartial.Path).TrimEnd('/') + _ens.Path + "/" + token;
    }

    public async Task<string> ListAsync(string source, CancellationToken cancellationToken)
    {
        using var api = Api(source);
        var callbacks = await CallAsync(api, HttpMethod.Get, CallbacksPath, null, cancellationToken);
        var subscriptions = await CallAsync(api, HttpMethod.Get, SubscriptionsPath, null, cancellationToken);
        return Write(writer =>
        {
            writer.WriteStartObject();
            writer.WritePropertyName("callbacks");
            WriteJsonOrString(writer, callbacks);
            writer.WritePropertyName("subscriptions");
            WriteJsonOrString(writer, subscriptions);
            writer.WriteEndObject();
        }, indented: true);
    }

    /// <summary>Creates a callback; returns its id and signature key (shown once by Marketing Cloud).</summary>
    public async Task<(string CallbackId, string SignatureKey)> CreateAsync(string source, string url, string name, int maxBatchSize,
        CancellationToken cancellationToken)
    {
        using var api = Api(source);
        byte[] body = JsonBytes(writer =>
        {
            writer.WriteStartArray();
            writer.WriteStartObject();
            writer.WriteString("callbackName", name);
            writer.WriteString("url", url);
            writer.WriteNumber("maxBatchSize", maxBatchSize);
            writer.WriteEndObject();
            writer.WriteEndArray();
        });
        byte[] answer = await CallAsync(api, HttpMethod.Post, CallbacksPath, body, cancellationToken);
        try
        {
            using var document = JsonDocument.Parse(answer);
            var created = document.RootElement.ValueKind == JsonValueKind.Array && document.RootElement.GetArrayLength() > 0
                ? document.RootElement[0]
                : document.RootElement;
            if (created.ValueKind == JsonValueKind.Object
                && created.TryGetProperty("callbackId", out var id) && id.ValueKind == JsonValueKind.String
                && created.TryGetProperty("signatureKey", out var key) && key.ValueKind == JsonValueKind.String)
            {
                return (id.GetString()!, key.GetString()!);
            }
        }
        catch (JsonException)
        {
            // Reported below.
        }

        throw new MarketingCloudException(MarketingCloudException.Malformed, "ens-callbacks answered without a callbackId and a signatureKey");
    }

    public async Task<string> SubscribeAsync(string source, string callbackId, string name, IReadOnlyList<string> categories,
        CancellationToken cancellationToken)
    {
        using var api = Api(source);
        byte[] body = JsonBytes(writer =>
        {
            writer.WriteStartArray();
            writer.WriteStartObject();
            writer.WriteString("subscriptionName", name);
            writer.WriteString("callbackId", callbackId);
            writer.WriteStartArray("eventCategoryTypes");
            foreach (string category in categories)
            {
                writer.WriteStringValue(category);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
            writer.WriteEndArray();
        });
        byte[] answer = await CallAsync(api, HttpMethod.Post, SubscriptionsPath, body, cancellationToken);
        return Write(writer => WriteJsonOrString(writer, answer), indented: true);
    }

    public void Dispose() => _http.Dispose();

    private MarketingCloudApi Api(string source) =>
        new(source, _callbacks.Sources[source].MarketingCloud, _http, _time, _ens.RequestTimeout, _logger);

    /// <summary>The answer's body when Marketing Cloud took the call; its message as an exception otherwise.</summary>
    private static async Task<byte[]> CallAsync(MarketingCloudApi api, HttpMethod method, string path, byte[]? body, CancellationToken cancellationToken)
    {
        var answer = await api.RestAsync(method, path, body, cancellationToken);
        if (!answer.IsSuccess)
        {
            throw new MarketingCloudException(MarketingCloudException.Refused, $"{method.Method} /{path} answered {(int)answer.Status}: {answer.Message()}");
        }

        return answer.Body;
    }

    private static void WriteJsonOrString(Utf8JsonWriter writer, byte[] body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            document.RootElement.WriteTo(writer);
        }
        catch (JsonException)
        {
            writer.WriteStringValue(System.Text.Encoding.UTF8.GetString(body));
        }
    }

    private static byte[] JsonBytes(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            write(writer);
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static string Write(Action<Utf8JsonWriter> write, bool indented)
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = indented }))
        {
            write(writer);
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
