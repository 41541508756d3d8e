using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Unicode;
using Relay.Core.Memory;

namespace Relay.Core.MarketingCloud;

/// <summary>
/// The answer of Marketing Cloud's <c>POST v2/token</c>: the access token, how long it lives, and where the
/// tenant's SOAP and REST APIs are. Read strictly: what Relay calls with must be there and well formed.
/// </summary>
public sealed record TokenAnswer(string AccessToken, TimeSpan Lifetime, Uri SoapBase, Uri? RestBase)
{
    /// <summary>A token is used at most a day, whatever the answer says.</summary>
    public static readonly TimeSpan MaxLifetime = TimeSpan.FromDays(1);

    /// <summary>
    /// Reads the answer's JSON; the problem says what is wrong without quoting the answer, which holds a
    /// secret. The URIs must be <c>https://</c>, or <c>http://</c> to a loopback address (a stand-in).
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> json, [NotNullWhen(true)] out TokenAnswer? answer, [NotNullWhen(false)] out string? problem)
    {
        answer = null;
        if (!Utf8.IsValid(json))
        {
            // Its strings could not be read (fuzzing found that reading them threw).
            problem = "the token answer is not UTF-8";
            return false;
        }

        string? accessToken = null, soapInstance = null, restInstance = null;
        long expiresIn = 0;
        try
        {
            using var document = JsonDocument.Parse(json.ToArray(), new JsonDocumentOptions { MaxDepth = 16 });
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object)
            {
                accessToken = StringOf(root, "access_token");
                soapInstance = StringOf(root, "soap_instance_url");
                restInstance = StringOf(root, "rest_instance_url");
                expiresIn = root.TryGetProperty("expires_in", out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out long seconds) ? seconds : 0;
            }
        }
        catch (JsonException)
        {
            problem = "the token answer is not JSON";
            return false;
        }
        catch (InvalidOperationException)
        {
            problem = "the token answer " + JsonStrings.LoneSurrogate;
            return false;
        }

        if (string.IsNullOrEmpty(accessToken) || expiresIn <= 0)
        {
            problem = "the token answer has no access_token or expires_in";
            return false;
        }

        if (!Uri.TryCreate(soapInstance, UriKind.Absolute, out var soapBase) || !IsAllowed(soapBase))
        {
            problem = "the token answer's soap_instance_url is not an https:// URI (http:// only to a loopback address)";
            return false;
        }

        // The REST base is needed by ENS only: a token without one still serves retrieves.
        Uri? restBase = Uri.TryCreate(restInstance, UriKind.Absolute, out var rest) && IsAllowed(rest) ? WithSlash(rest) : null;
        var lifetime = expiresIn >= (long)MaxLifetime.TotalSeconds ? MaxLifetime : TimeSpan.FromSeconds(expiresIn);
        answer = new TokenAnswer(accessToken, lifetime, WithSlash(soapBase), restBase);
        problem = null;
        return true;
    }

    /// <summary>HTTPS, or plain HTTP to a loopback address only (a stand-in in tests).</summary>
    public static bool IsAllowed(Uri uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        return uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && uri.IsLoopback);
    }

    private static string? StringOf(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static Uri WithSlash(Uri uri) => uri.AbsoluteUri.EndsWith('/') ? uri : new Uri(uri.AbsoluteUri + "/");
}
