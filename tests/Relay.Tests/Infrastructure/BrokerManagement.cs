using System.Net.Http.Headers;
using System.Text.Json;

namespace Relay.Infrastructure;

/// <summary>
/// The test broker's management API (the plugin scripts/rabbitmq.sh enables, on port 15672 of the broker's
/// host): what AMQP does not tell, such as a queue's messages counted with those delivered but not acknowledged.
/// Its counts are sampled (every 5 s by default): wait on them for a state that lasts, such as "all settled".
/// </summary>
internal static class BrokerManagement
{
    private static readonly HttpClient Http = Create();

    /// <summary>The queue's messages, ready and unacknowledged alike: 0 once nothing is left to do with it.</summary>
    public static async Task<long> MessagesAsync(string queue)
    {
        using var response = await Http.GetAsync("api/queues/%2F/" + Uri.EscapeDataString(queue));
        response.EnsureSuccessStatusCode();
        using var json = JsonDocument.Parse(await response.Content.ReadAsStreamAsync());
        // A queue that has not yet been sampled has no count: it is not known to be empty.
        return json.RootElement.TryGetProperty("messages", out var messages) ? messages.GetInt64() : long.MaxValue;
    }

    private static HttpClient Create()
    {
        var broker = new Uri(TestBroker.Uri);
        var http = new HttpClient { BaseAddress = new Uri($"http://{broker.Host}:15672/"), Timeout = TimeSpan.FromSeconds(10) };
        string credentials = Uri.UnescapeDataString(broker.UserInfo is { Length: > 0 } user ? user : "guest:guest");
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(credentials)));
        return http;
    }
}
