namespace Relay.Infrastructure;

/// <summary>Waits on a condition, not on the clock: polls until it holds or a generous limit passes.</summary>
internal static class Eventually
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(100);

    /// <summary>The first value of <paramref name="probe"/> that satisfies <paramref name="done"/>, or the last one seen when <paramref name="limit"/> passed.</summary>
    public static async Task<T> ValueAsync<T>(TimeSpan limit, Func<Task<T>> probe, Func<T, bool> done)
    {
        var deadline = DateTime.UtcNow + limit;
        T value;
        while (!done(value = await probe()) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(Poll);
        }

        return value;
    }

    /// <summary>Waits until <paramref name="condition"/> holds; fails the test naming <paramref name="what"/> when it does not within <paramref name="limit"/>.</summary>
    public static async Task HoldsAsync(TimeSpan limit, Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + limit;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out after {limit} waiting for {what}");
            await Task.Delay(Poll);
        }
    }

    /// <summary>As <see cref="HoldsAsync(TimeSpan, Func{bool}, string)"/>, for a condition that has to be asked for.</summary>
    public static async Task HoldsAsync(TimeSpan limit, Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + limit;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out after {limit} waiting for {what}");
            await Task.Delay(Poll);
        }
    }
}
