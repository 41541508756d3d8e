using System.Globalization;
using System.Net;
using System.Text;
using Relay.Core.Ens;
using Relay.Ens;

namespace Relay.Infrastructure;

/// <summary>
/// A stand-in of Marketing Cloud's Event Notification Service: it makes batches as ENS sends them and
/// posts them to a Relay's ENS URL over HTTPS, signed with the callback's signature key (or as told:
/// unsigned, with another key, another reading of the key), and posts a batch again as ENS retries one.
/// </summary>
internal static class EnsStandIn
{
    /// <summary>The test source's signature key (what ens-callbacks returned).</summary>
    public const string Key = "ens-key-2f6c0b8e9d7a4c1f8e3b5a7c9d1e3f5a";

    /// <summary>The test source's ENS URL path: <c>/marketing-cloud/ens/{token}</c>.</summary>
    public static readonly string Path = "/marketing-cloud/ens/" + RelayServer.Token;

    /// <summary>The signature key setting of the test source.</summary>
    public const string KeySetting = "Relay:Callbacks:Sources:test:Ens:SignatureKeys:0";

    /// <summary>A batch as ENS sends one: each event with its category, a timestamp (2026-12-07T10:00:00Z), and fields of its own.</summary>
    public static string Batch(int count, string category)
    {
        var events = Enumerable.Range(0, count).Select(i => string.Create(CultureInfo.InvariantCulture,
            $"{{\"eventCategoryType\":\"{category}\",\"timestampUTC\":1796637600000,\"compositeId\":\"{i}.1.2\",") +
            string.Create(CultureInfo.InvariantCulture,
            $"\"composite\":{{\"jobId\":{i},\"batchId\":1,\"listId\":2}},\"definitionKey\":\"welcome\",\"mid\":514009876,") +
            $"\"info\":{{\"to\":\"user{i}@example.com\",\"messageKey\":\"{Guid.NewGuid():N}\"}}}}");
        return "[" + string.Join(",", events) + "]";
    }

    /// <summary>The signature ENS sends with <paramref name="body"/>: base64 of HMAC-SHA256 keyed by <see cref="Key"/>'s UTF-8 bytes.</summary>
    public static string Sign(string body, string key = Key, EnsKeyEncoding encoding = EnsKeyEncoding.Utf8) =>
        EnsSignature.Sign(Encoding.UTF8.GetBytes(body), key, encoding);

    /// <summary>Posts <paramref name="body"/> to the ENS URL: signed with <see cref="Key"/> when <paramref name="signature"/> is "", unsigned when null, else with that header.</summary>
    public static async Task<HttpStatusCode> PostAsync(HttpClient client, string body, string? signature = "", string? path = null)
    {
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        if (signature is not null)
        {
            content.Headers.Add(EnsEndpoint.SignatureHeader, signature.Length == 0 ? Sign(body) : signature);
        }

        using var response = await client.PostAsync(path ?? Path, content);
        return response.StatusCode;
    }
}
