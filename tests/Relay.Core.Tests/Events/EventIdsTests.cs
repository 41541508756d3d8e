using System.Text;
using Relay.Core.Callbacks;
using Relay.Core.Events;

namespace Relay.Events;

public sealed class EventIdsTests
{
    private static readonly MarketingCloudCallback Callback =
        MarketingCloudCallback.Empty with { RequestId = "r", OverallStatusCode = "OK" };

    [Fact]
    public void ForCallback_IsAVersion8Uuid()
    {
        var id = Guid.Parse(EventIds.ForCallback("/s", Callback));

        Assert.Equal(8, id.Version);
        Assert.Equal(0b10, id.Variant >> 2);
    }

    [Fact]
    public void ForCallback_DiffersByEveryFieldAndBySource()
    {
        string baseline = EventIds.ForCallback("/s", Callback);

        Assert.NotEqual(baseline, EventIds.ForCallback("/other", Callback));
        Assert.NotEqual(baseline, EventIds.ForCallback("/s", Callback with { StatusMessage = "" }));
        Assert.NotEqual(baseline, EventIds.ForCallback("/s", Callback with { SequenceCode = "1" }));
        Assert.NotEqual(baseline, EventIds.ForCallback("/s", Callback with { ResultDetailXml = new string('x', 10_000) }));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void ForCallback_OfALongField_HashesItsWholeUtf8_WhereverItsPiecesEnd(int shift)
    {
        // Pairs, lone surrogates and three-byte characters around every 1,024-byte piece the hash is fed.
        string xml = new string('x', shift) + string.Concat(Enumerable.Repeat("ab😀\ud800日c", 20_000));
        var callback = Callback with { ResultDetailXml = xml };

        Assert.Equal(Reference("/s", callback), EventIds.ForCallback("/s", callback));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void ForCallback_OfLongShortFields_HashesThemWhole_WhereverTheGatheringBufferFills(int shift)
    {
        // The short fields gather in a buffer of 1,024 bytes: text that fills it again and again, characters
        // of every length across its ends, and a field too long for it beside the XML as bytes.
        string text = new string('x', shift) + string.Concat(Enumerable.Repeat("ab😀\ud800日c", 300));
        var callback = Callback with
        {
            StatusMessage = text, ErrorCode = text[..(1000 + shift)], ResultType = "", ResultDetailXml = new string('<', 1017 - shift),
            SequenceCode = text,
        };

        Assert.Equal(Reference("/s", callback), EventIds.ForCallback("/s", callback));
        Assert.Equal(Reference(text, callback), EventIds.ForCallback(text, callback));
    }

    [Fact]
    public void ForCallback_ReadFromAForm_IsTheIdOfItsFieldsAsText()
    {
        // The form reader keeps ResultDetailXML as the UTF-8 it arrived in; the id is the same as from the text.
        byte[] form = Encoding.UTF8.GetBytes("RequestID=r&OverallStatusCode=OK&ResultDetailXML=%3CR%3E%E6%97%A5%F0%9F%98%80%3C%2FR%3E&SequenceCode=7");
        using var read = CallbackFormReader.Read(form);
        var asText = MarketingCloudCallback.Empty with
        {
            RequestId = "r", OverallStatusCode = "OK", ResultDetailXml = "<R>日😀</R>", SequenceCode = "7",
        };

        Assert.Equal(Reference("/s", asText), EventIds.ForCallback("/s", read.Callback));
        Assert.Equal(EventIds.ForCallback("/s", asText), EventIds.ForCallback("/s", read.Callback));
    }

    /// <summary>The id as the spec says, with each field encoded whole.</summary>
    private static string Reference(string source, MarketingCloudCallback callback)
    {
        using var hash = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        void Field(byte[]? bytes)
        {
            hash.AppendData(BitConverter.GetBytes(bytes?.Length ?? -1));
            hash.AppendData(bytes ?? []);
        }

        Field("relay/marketing-cloud-callback/v1"u8.ToArray());
        foreach (string? value in new[] { source, callback.RequestId, callback.ConversationId, callback.OverallStatusCode, callback.StatusCode,
            callback.StatusMessage, callback.ErrorCode, callback.RequestType, callback.ResultType, callback.ResultDetailXml, callback.SequenceCode })
        {
            Field(value is null ? null : Encoding.UTF8.GetBytes(value));
        }

        byte[] uuid = hash.GetHashAndReset()[..16];
        uuid[6] = (byte)((uuid[6] & 0x0F) | 0x80);
        uuid[8] = (byte)((uuid[8] & 0x3F) | 0x80);
        return new Guid(uuid, bigEndian: true).ToString();
    }

    [Fact]
    public void ForCallback_FieldBoundariesMatter()
    {
        var a = MarketingCloudCallback.Empty with { RequestId = "ab", ConversationId = "c" };
        var b = MarketingCloudCallback.Empty with { RequestId = "a", ConversationId = "bc" };

        Assert.NotEqual(EventIds.ForCallback("/s", a), EventIds.ForCallback("/s", b));
    }

    [Fact]
    public void TheOtherIds_AreTheSpecsHashOfTheirFields()
    {
        byte[] body = Encoding.UTF8.GetBytes(new string('b', 3000));
        byte[] ens = Encoding.UTF8.GetBytes("{\"eventCategoryType\":\"TransactionalSendEvents.EmailSent\"}");

        Assert.Equal(Reference("relay/marketing-cloud-raw-body/v1", "/s"u8.ToArray(), body), EventIds.ForRawBody("/s", body));
        Assert.Equal(Reference("relay/marketing-cloud-raw-body/v1", "/s"u8.ToArray(), []), EventIds.ForRawBody("/s", []));
        Assert.Equal(Reference("relay/marketing-cloud-missing/v1", "/s"u8.ToArray(), "r-1"u8.ToArray()), EventIds.ForMissing("/s", "r-1"));
        Assert.Equal(Reference("relay/marketing-cloud-ens/v1", "/e"u8.ToArray(), ens), EventIds.ForEns("/e", ens));
    }

    private static string Reference(string domain, params byte[][] fields)
    {
        using var hash = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        foreach (byte[] field in (byte[][])[Encoding.UTF8.GetBytes(domain), .. fields])
        {
            hash.AppendData(BitConverter.GetBytes(field.Length));
            hash.AppendData(field);
        }

        byte[] uuid = hash.GetHashAndReset()[..16];
        uuid[6] = (byte)((uuid[6] & 0x0F) | 0x80);
        uuid[8] = (byte)((uuid[8] & 0x3F) | 0x80);
        return new Guid(uuid, bigEndian: true).ToString();
    }

    [Fact]
    public void ForRawBody_IsStableAndDiffersFromCallbackIds()
    {
        byte[] body = Encoding.UTF8.GetBytes("RequestID=r&OverallStatusCode=OK");

        Assert.Equal(EventIds.ForRawBody("/s", body), EventIds.ForRawBody("/s", body));
        Assert.NotEqual(EventIds.ForCallback("/s", Callback), EventIds.ForRawBody("/s", body));
    }
}
