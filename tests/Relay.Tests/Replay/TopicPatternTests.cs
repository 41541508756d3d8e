namespace Relay.Replay;

public sealed class TopicPatternTests
{
    [Theory]
    [InlineData("callback.#", "callback.ok", true)]
    [InlineData("callback.#", "callback", true)]
    [InlineData("#", "callback.has-errors", true)]
    [InlineData("callback.*", "callback.ok", true)]
    [InlineData("callback.*", "callback", false)]
    [InlineData("callback.*", "callback.a.b", false)]
    [InlineData("*.ok", "callback.ok", true)]
    [InlineData("callback.ok", "callback.ok", true)]
    [InlineData("callback.ok", "callback.OK", false)]
    [InlineData("callback.ok", "callback.error", false)]
    [InlineData("#.error", "callback.error", true)]
    [InlineData("#.#.error", "error", true)]
    [InlineData("a.#.z", "a.b.c.z", true)]
    [InlineData("a.#.z", "a.z", true)]
    [InlineData("a.#.z", "a.b.c", false)]
    public void Matches_AsTheBrokersTopicExchange(string pattern, string routingKey, bool matches)
    {
        Assert.True(TopicPattern.TryParse(pattern, out var parsed, out _));
        Assert.Equal(matches, parsed!.Matches(routingKey));
    }

    [Theory]
    [InlineData("")]
    [InlineData("callback.err*")]
    [InlineData("callback.#x")]
    public void TryParse_RefusesWhatTheBrokerWouldNotMean(string pattern)
    {
        Assert.False(TopicPattern.TryParse(pattern, out _, out string? problem));
        Assert.NotNull(problem);
    }

    [Fact]
    public void Matches_ManyHashes_StaysCheap()
    {
        Assert.True(TopicPattern.TryParse(string.Join('.', Enumerable.Repeat("#", 100)) + ".x", out var parsed, out _));
        Assert.False(parsed!.Matches(string.Join('.', Enumerable.Repeat("a", 100))));
    }
}
