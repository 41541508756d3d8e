using System.Diagnostics.Metrics;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Relay.Core.Memory;
using Relay.Delivery;
using Relay.Telemetry;

namespace Relay.Callbacks;

/// <summary>
/// The budget's own decisions: who waits, who goes, in what order. A reservation is granted as it is asked
/// or when room is given back, never in between, so "still waiting" is checked at once, not after a pause.
/// </summary>
public sealed class CallbackMemoryBudgetTests : IDisposable
{
    private const long MiB = 1024 * 1024;
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();

    [Fact]
    public async Task AReservationPastTheBudget_WaitsUntilRoomIsGiven_AndThenHoldsIt()
    {
        var budget = Budget(16 * MiB);
        var first = await budget.ReserveAsync(10 * MiB, default);
        var second = budget.ReserveAsync(8 * MiB, default).AsTask();

        Assert.False(second.IsCompleted);
        Assert.Equal(10 * MiB, budget.Held);

        first.Dispose();
        using var granted = await second.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(8 * MiB, budget.Held);
    }

    [Fact]
    public async Task LargeWaiters_GoInOrder_WhileASmallOneThatFits_PassesThem()
    {
        var budget = Budget(16 * MiB);
        var held = await budget.ReserveAsync(12 * MiB, default);
        var firstLarge = budget.ReserveAsync(8 * MiB, default).AsTask();
        var secondLarge = budget.ReserveAsync(2 * MiB, default).AsTask();

        // 2 MiB would fit, but a large one waits behind the first; a small one does not.
        using var small = await budget.ReserveAsync(ByteBuffers.PooledMaxLength, default).AsTask().WaitAsync(TimeSpan.FromSeconds(5));
        Assert.False(firstLarge.IsCompleted);
        Assert.False(secondLarge.IsCompleted);

        held.Dispose();
        using var first = await firstLarge.WaitAsync(TimeSpan.FromSeconds(5));
        using var second = await secondLarge.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal((8 * MiB) + (2 * MiB) + ByteBuffers.PooledMaxLength, budget.Held);
    }

    [Fact]
    public async Task AWaiterThatGivesUp_LeavesNothingHeld_AndLetsTheOnesBehindItGo()
    {
        var budget = Budget(16 * MiB);
        var held = await budget.ReserveAsync(12 * MiB, default);
        using var cancel = new CancellationTokenSource();
        var givesUp = budget.ReserveAsync(16 * MiB, cancel.Token).AsTask();
        var behind = budget.ReserveAsync(4 * MiB, default).AsTask();

        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => givesUp);
        using var granted = await behind.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(16 * MiB, budget.Held);

        held.Dispose();
        Assert.Equal(4 * MiB, budget.Held);
    }

    [Fact]
    public async Task Resize_FollowsWhatTheCallbackHolds_GrowingWithoutWaiting()
    {
        var budget = Budget(16 * MiB);
        var reservation = await budget.ReserveAsync(8 * MiB, default);

        reservation.Resize(IDeliveryMemory.HeldFor(11 * (int)MiB));
        Assert.Equal((11 * MiB) + (16 * MiB), budget.Held);
        var waiting = budget.ReserveAsync(1024, default).AsTask();
        Assert.False(waiting.IsCompleted);

        reservation.Dispose();
        reservation.Dispose();
        using var granted = await waiting.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(1024, budget.Held);
    }

    [Fact]
    public async Task AReservationLargerThanTheBudget_IsCutToIt_SoItCanBeGranted()
    {
        var budget = Budget(4 * MiB);

        using var whole = await budget.ReserveAsync(64 * MiB, default).AsTask().WaitAsync(TimeSpan.FromSeconds(5));

        Assert.Equal(4 * MiB, budget.Held);
    }

    [Fact]
    public async Task AWait_IsRecordedWithItsDuration_AReservationThatFits_IsNot()
    {
        using var waits = new MetricCollector<double>(_services.GetRequiredService<IMeterFactory>(), RelayTelemetry.MeterName,
            "relay.callbacks.buffer_wait.duration");
        var budget = Budget(16 * MiB);
        var first = await budget.ReserveAsync(10 * MiB, default);
        var second = budget.ReserveAsync(8 * MiB, default).AsTask();

        first.Dispose();
        using var granted = await second.WaitAsync(TimeSpan.FromSeconds(5));

        var wait = Assert.Single(waits.GetMeasurementSnapshot());
        Assert.True(wait.Value >= 0);
    }

    [Theory]
    [InlineData(true, 1, 2)]
    [InlineData(false, 0, 0)]
    public void AfterABurstOfLargeCallbacks_MemoryIsGivenBack_OnlyWhenSwitchedOn(bool enabled, int afterQuiet, int afterPoolTrim)
    {
        var clock = new FakeTimeProvider();
        int collections = 0;
        using var reclaimer = new LargeCallbackReclaimer(enabled, clock, () => collections++);

        reclaimer.Reserved(8 * MiB);
        reclaimer.Emptied(() => true);
        clock.Advance(LargeCallbackReclaimer.Quiet);
        Assert.Equal(afterQuiet, collections);
        clock.Advance(LargeCallbackReclaimer.PoolIdleTrim);
        Assert.Equal(afterPoolTrim, collections);
    }

    [Fact]
    public void SmallCallbacks_OrABusyRelay_AreNeverAReasonToCollect()
    {
        var clock = new FakeTimeProvider();
        int collections = 0;
        using var reclaimer = new LargeCallbackReclaimer(enabled: true, clock, () => collections++);

        reclaimer.Reserved(ByteBuffers.PooledMaxLength);
        reclaimer.Emptied(() => true);
        clock.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(0, collections);

        // A large burst whose end is not the end: another callback came meanwhile.
        reclaimer.Reserved(8 * MiB);
        reclaimer.Emptied(() => false);
        clock.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(0, collections);
    }

    private CallbackMemoryBudget Budget(long bytes)
    {
        var reclaimer = new LargeCallbackReclaimer(enabled: false, TimeProvider.System, static () => { });
        _reclaimers.Add(reclaimer);
        return new(Options.Create(new CallbackOptions { MaxBufferedBytes = bytes }), new CallbackMetrics(_services.GetRequiredService<IMeterFactory>()),
            reclaimer, TimeProvider.System);
    }

    private readonly List<LargeCallbackReclaimer> _reclaimers = [];

    public void Dispose()
    {
        _reclaimers.ForEach(reclaimer => reclaimer.Dispose());
        _services.Dispose();
    }
}
