using System.Text;
using Relay.Callbacks;

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

    [Fact]
    public void ForCallback_FieldBoundariesMatter()
    {
        var a = MarketingCloudCallback.Empty with { RequestId = "ab", ConversationId = "c" };
        var b = MarketingCloudCallback.Empty with { RequestId = "a", ConversationId = "bc" };

        Assert.NotEqual(EventIds.ForCallback("/s", a), EventIds.ForCallback("/s", b));
    }

    [Fact]
    public void ForRawBody_IsStableAndDiffersFromCallbackIds()
    {
        byte[] body = Encoding.UTF8.GetBytes("RequestID=r&OverallStatusCode=OK");

        Assert.Equal(EventIds.ForRawBody("/s", body), EventIds.ForRawBody("/s", body));
        Assert.NotEqual(EventIds.ForCallback("/s", Callback), EventIds.ForRawBody("/s", body));
    }
}
