using System.Text;
using System.Text.Json;
using Relay.Core.Callbacks;
using Relay.Core.Events;

namespace Relay.Callbacks;

/// <summary>
/// A seeded fuzzer: random and mutated bodies through the form reader and the normalizer. No exception
/// may escape, and every outcome must be a documented one: a valid callback published as
/// <c>callback.&lt;status&gt;</c>, or an invalid one published as <c>callback.invalid</c> with its raw body.
/// </summary>
public sealed class CallbackFuzzTests
{
    private static readonly string[] Seeds =
    [
        "RequestID=6b0d0a0e&ConversationID=&OverallStatusCode=OK&StatusCode=OK&StatusMessage=&ErrorCode=&RequestType=Asynchronous&ResultType=Asynchronous&ResultDetailXML=&SequenceCode=",
        "RequestID=r&OverallStatusCode=Has+Errors&ErrorCode=12000&SequenceCode=1&ResultDetailXML=%3CCreateResponse+xmlns%3D%22http%3A%2F%2Fexacttarget.com%2Fwsdl%2FpartnerAPI%22+xmlns%3Axsi%3D%22http%3A%2F%2Fwww.w3.org%2F2001%2FXMLSchema-instance%22%3E%3CResults+xsi%3Atype%3D%22CreateResult%22%3E%3CStatusCode%3EError%3C%2FStatusCode%3E%3CObject+xsi%3Atype%3D%22Subscriber%22%3E%3CEmailAddress%3Ea%40b.c%3C%2FEmailAddress%3E%3C%2FObject%3E%3C%2FResults%3E%3C%2FCreateResponse%3E",
        "RequestID=x&ResultDetailXML=%3C!DOCTYPE+r+%5B%3C!ENTITY+x+SYSTEM+%22file%3A%2F%2F%2Fetc%2Fpasswd%22%3E%5D%3E%3CResult%3E%26x%3B%3C%2FResult%3E",
        "RequestID=%C3%A9t%C3%A9&StatusMessage=100%25+%E2%9C%93",
        "OverallStatusCode=Error",
    ];

    private static readonly byte[][] Fragments =
    [
        "&"u8.ToArray(), "="u8.ToArray(), "%"u8.ToArray(), "%2"u8.ToArray(), "%zz"u8.ToArray(), "+"u8.ToArray(),
        "RequestID="u8.ToArray(), "&RequestID=other"u8.ToArray(), "ResultDetailXML=%3C"u8.ToArray(), "%00"u8.ToArray(),
        "%FF%FE"u8.ToArray(), [0xC3], [0xFF], [0x00], "<![CDATA["u8.ToArray(), "%3C!DOCTYPE"u8.ToArray(),
    ];

    private static readonly CallbackEventFactory Factory = new(CallbackEventOptions.Default);

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void ReadAndNormalize_RandomAndMutatedBodies_AlwaysEndInADocumentedOutcome(int seed)
    {
        var random = new Random(seed);
        for (int i = 0; i < 5_000; i++)
        {
            byte[] body = i % 5 == 0 ? RandomBytes(random) : Mutate(random, Encoding.UTF8.GetBytes(Seeds[random.Next(Seeds.Length)]));
            AssertDocumentedOutcome(body);
        }
    }

    private static void AssertDocumentedOutcome(byte[] body)
    {
        var read = CallbackFormReader.Read(body);
        var created = Factory.Create(read, body, DateTimeOffset.UnixEpoch);

        Assert.True(Enum.IsDefined(read.Problem));
        using var json = JsonDocument.Parse(created.Body);
        var data = json.RootElement.GetProperty("data");
        if (read.IsValid)
        {
            Assert.NotNull(read.Callback.RequestId);
            Assert.StartsWith("callback.", created.RoutingKey, StringComparison.Ordinal);
            Assert.True(created.RoutingKey.Length <= RoutingKeys.Prefix.Length + RoutingKeys.MaxStatusLength);
            Assert.False(data.TryGetProperty("rawBody", out _));
        }
        else
        {
            Assert.Equal(RoutingKeys.Invalid, created.RoutingKey);
            Assert.NotNull(data.GetProperty("invalidReason").GetString());
            byte[] kept = data.GetProperty("rawBodyEncoding").GetString() == "base64"
                ? data.GetProperty("rawBody").GetBytesFromBase64()
                : Encoding.UTF8.GetBytes(data.GetProperty("rawBody").GetString()!);
            Assert.Equal(body, kept);
        }

        // ResultDetailXML either parsed, was absent, or is explained; never lost.
        if (read.Callback.ResultDetailXml is { } xml && !string.IsNullOrWhiteSpace(xml))
        {
            Assert.Equal(xml, data.GetProperty("resultDetailXml").GetString());
            Assert.True(data.GetProperty("results").ValueKind == JsonValueKind.Array || data.TryGetProperty("resultDetailError", out _));
        }
    }

    private static byte[] RandomBytes(Random random)
    {
        var bytes = new byte[random.Next(0, 300)];
        random.NextBytes(bytes);
        return bytes;
    }

    private static byte[] Mutate(Random random, byte[] body)
    {
        var bytes = new List<byte>(body);
        for (int m = random.Next(1, 6); m > 0; m--)
        {
            int at = bytes.Count == 0 ? 0 : random.Next(bytes.Count);
            switch (random.Next(5))
            {
                case 0 when bytes.Count > 0:
                    bytes[at] = (byte)random.Next(256);
                    break;
                case 1:
                    bytes.InsertRange(at, Fragments[random.Next(Fragments.Length)]);
                    break;
                case 2 when bytes.Count > 0:
                    bytes.RemoveRange(at, Math.Min(bytes.Count - at, random.Next(1, 20)));
                    break;
                case 3:
                    bytes.AddRange(bytes.GetRange(0, Math.Min(bytes.Count, random.Next(0, 64))));
                    break;
                default:
                    bytes.RemoveRange(at, bytes.Count - at);
                    break;
            }
        }

        return [.. bytes];
    }
}
