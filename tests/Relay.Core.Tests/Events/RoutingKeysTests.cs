using Relay.Core.Events;

namespace Relay.Events;

public sealed class RoutingKeysTests
{
    [Theory]
    [InlineData("OK", "callback.ok")]
    [InlineData("Error", "callback.error")]
    [InlineData("Has Errors", "callback.has-errors")]
    [InlineData("Has  --  Errors", "callback.has-errors")]
    [InlineData(" OK ", "callback.ok")]
    [InlineData("Érreur", "callback.rreur")]
    [InlineData("a.b#c*d", "callback.a-b-c-d")]
    [InlineData("Status42", "callback.status42")]
    [InlineData("", "callback.unknown")]
    [InlineData(null, "callback.unknown")]
    [InlineData("!!!", "callback.unknown")]
    public void ForStatus_NormalizesTheStatus(string? status, string expected) =>
        Assert.Equal(expected, RoutingKeys.ForStatus(status));

    [Fact]
    public void ForStatus_LongStatus_IsCut()
    {
        string key = RoutingKeys.ForStatus(string.Concat(Enumerable.Repeat("ab ", 100)));

        Assert.True(key.Length <= RoutingKeys.Prefix.Length + RoutingKeys.MaxStatusLength);
        Assert.False(key.EndsWith('-'));
    }
}
