using System.Net;
using System.Text.Json;

namespace Relay.MarketingCloud;

/// <summary>A REST API's answer: its status and body (JSON, or whatever Marketing Cloud sent).</summary>
internal sealed record RestAnswer(HttpStatusCode Status, byte[] Body)
{
    public bool IsSuccess => (int)Status is >= 200 and < 300;

    /// <summary>Marketing Cloud's message for a failed call (its <c>message</c> or <c>errorcode</c>), else the body, cut.</summary>
    public string Message()
    {
        if (!System.Text.Unicode.Utf8.IsValid(Body))
        {
            return $"HTTP {(int)Status} (an answer that is not UTF-8)";
        }

        try
        {
            using var document = JsonDocument.Parse(Body);
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object)
            {
                foreach (string name in (ReadOnlySpan<string>)["message", "errorMessage", "error_description", "error"])
                {
                    if (root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String)
                    {
                        return Cut(value.GetString()!);
                    }
                }
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            // Not JSON, or a string in it that is no text: the answer itself.
        }

        return Body.Length == 0 ? $"HTTP {(int)Status}" : Cut(System.Text.Encoding.UTF8.GetString(Body, 0, Math.Min(Body.Length, 400)));
    }

    private static string Cut(string text) => text.Length > 300 ? text[..300] + "…" : text;
}
