using Microsoft.Extensions.Time.Testing;
using Relay.Core.Reconciliation;
using Relay.MarketingCloud;

namespace Relay.Reconciliation;

/// <summary>The decisions of reconciliation and its memory of seen callbacks, on a test clock.</summary>
public sealed class ReconciliationPlanTests
{
    private static readonly ReconciliationOptions Options = new()
    {
        Grace = TimeSpan.FromMinutes(15),
        RetryInterval = TimeSpan.FromMinutes(5),
        MaxAge = TimeSpan.FromDays(30),
    };

    private static readonly DateTimeOffset Registered = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Arrival_SeenIsFulfilled_FreshWaits_DueIsRetrieved()
    {
        var state = new ExpectationState(Registered, 0, null);

        Assert.Equal(ReconciliationStep.Fulfilled, ReconciliationPlan.OnArrival(null, seen: true));
        Assert.Equal(ReconciliationStep.Fulfilled, ReconciliationPlan.OnArrival(state, seen: true));
        Assert.Equal(ReconciliationStep.AwaitCallback, ReconciliationPlan.OnArrival(null, seen: false));
        Assert.Equal(ReconciliationStep.Retrieve, ReconciliationPlan.OnArrival(state, seen: false));
    }

    [Fact]
    public void AfterRetrieve_RetriesUntilMaxAge_CountedFromSubmission()
    {
        var expectation = new Expectation("test", "r");
        var submittedEarlier = expectation with { SubmittedAt = Registered - TimeSpan.FromDays(2) };
        var state = new ExpectationState(Registered, 3, Registered);

        Assert.Equal(ReconciliationStep.RetryLater, ReconciliationPlan.AfterRetrieve(expectation, state, Registered + TimeSpan.FromDays(29), Options));
        Assert.Equal(ReconciliationStep.ReportMissing, ReconciliationPlan.AfterRetrieve(expectation, state, Registered + TimeSpan.FromDays(30), Options));
        Assert.Equal(ReconciliationStep.ReportMissing, ReconciliationPlan.AfterRetrieve(submittedEarlier, state, Registered + TimeSpan.FromDays(28), Options));

        // A submission time after the registration is the producer's clock, not a later start.
        var submittedLater = expectation with { SubmittedAt = Registered + TimeSpan.FromDays(5) };
        Assert.Equal(ReconciliationStep.ReportMissing, ReconciliationPlan.AfterRetrieve(submittedLater, state, Registered + TimeSpan.FromDays(30), Options));
    }

    [Fact]
    public void RetryDelay_IsTheInterval_ThenWhatIsLeftOfMaxAge()
    {
        var expectation = new Expectation("test", "r");
        var state = new ExpectationState(Registered, 1, Registered);

        Assert.Equal(Options.RetryInterval, ReconciliationPlan.RetryDelay(expectation, state, Registered + TimeSpan.FromDays(1), Options));
        Assert.Equal(TimeSpan.FromMinutes(2),
            ReconciliationPlan.RetryDelay(expectation, state, Registered + Options.MaxAge - TimeSpan.FromMinutes(2), Options));
        Assert.Equal(TimeSpan.FromSeconds(1), ReconciliationPlan.RetryDelay(expectation, state, Registered + Options.MaxAge, Options));
    }

    [Fact]
    public void SeenCallbacks_AreKeptAtLeastAWindow_AndForgottenAfterTwo()
    {
        var clock = new FakeTimeProvider(Registered);
        var seen = new SeenCallbacks(TimeSpan.FromMinutes(30), clock);

        seen.Add("/mc/test", "ABC-1", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
        clock.Advance(TimeSpan.FromMinutes(29));
        Assert.True(seen.TryGet("/mc/test", "abc-1", out var traceContext));
        Assert.Equal("0af7651916cd43dd8448eb211c80319c", traceContext.TraceId.ToHexString());
        Assert.Equal("b7ad6b7169203331", traceContext.SpanId.ToHexString());
        Assert.False(seen.TryGet("/mc/other", "ABC-1", out _));

        clock.Advance(TimeSpan.FromMinutes(2)); // 31 minutes: the first rotation; still kept
        Assert.True(seen.TryGet("/mc/test", "ABC-1", out _));
        seen.Add("/mc/test", "ABC-2", null);

        clock.Advance(TimeSpan.FromMinutes(31)); // 62 minutes: the second rotation drops the first entry
        Assert.False(seen.TryGet("/mc/test", "ABC-1", out _));
        Assert.True(seen.TryGet("/mc/test", "ABC-2", out _));

        clock.Advance(TimeSpan.FromHours(2));
        Assert.False(seen.TryGet("/mc/test", "ABC-2", out _));
        Assert.Equal(0, seen.Count);
    }

    [Fact]
    public void SeenCallbacks_AreBoundedInNumber_NotOnlyInTime()
    {
        var clock = new FakeTimeProvider(Registered);
        var seen = new SeenCallbacks(TimeSpan.FromHours(1), clock);

        for (int i = 0; i < SeenCallbacks.MaxPerGeneration * 3; i++)
        {
            seen.Add("/mc/test", i.ToString(System.Globalization.CultureInfo.InvariantCulture), null);
        }

        Assert.InRange(seen.Count, SeenCallbacks.MaxPerGeneration, 2 * SeenCallbacks.MaxPerGeneration);
        Assert.True(seen.TryGet("/mc/test", (SeenCallbacks.MaxPerGeneration * 3 - 1).ToString(System.Globalization.CultureInfo.InvariantCulture), out _));
        Assert.False(seen.TryGet("/mc/test", "0", out _));
    }

    [Fact]
    public void State_RoundTripsThroughMessageHeaders()
    {
        var state = new ExpectationState(Registered, 4, Registered + TimeSpan.FromMinutes(20));
        var properties = new RabbitMQ.Client.BasicProperties { Headers = state.Headers() };

        Assert.Equal(state, ExpectationState.Read(properties));
        Assert.Null(ExpectationState.Read(new RabbitMQ.Client.BasicProperties()));
    }

    [Fact]
    public void RenewalTime_IsFiveMinutesEarly_OrHalfOfAShortLife()
    {
        Assert.Equal(Registered + TimeSpan.FromSeconds(1080 - 300), AccessToken.RenewalTime(Registered, TimeSpan.FromSeconds(1080)));
        Assert.Equal(Registered + TimeSpan.FromSeconds(60), AccessToken.RenewalTime(Registered, TimeSpan.FromSeconds(120)));
    }

    [Fact]
    public void RetrieveBackoff_DoublesFromTwoSeconds_UpToTheRetryInterval_AndOneSuccessClearsIt()
    {
        var backoff = new RetrieveBackoff(TimeSpan.FromSeconds(10));
        var now = Registered;
        Assert.False(backoff.IsBackingOff("a", now));

        backoff.Failed("a", now);
        Assert.True(backoff.IsBackingOff("A", now + TimeSpan.FromSeconds(1.9)));
        Assert.False(backoff.IsBackingOff("a", now + TimeSpan.FromSeconds(2)));
        Assert.False(backoff.IsBackingOff("b", now));

        backoff.Failed("a", now + TimeSpan.FromSeconds(1));
        Assert.True(backoff.IsBackingOff("a", now + TimeSpan.FromSeconds(2.9)));
        Assert.False(backoff.IsBackingOff("a", now + TimeSpan.FromSeconds(3)));

        for (int i = 0; i < 5; i++)
        {
            backoff.Failed("a", now);
        }

        Assert.True(backoff.IsBackingOff("a", now + TimeSpan.FromSeconds(9.9)));
        Assert.False(backoff.IsBackingOff("a", now + TimeSpan.FromSeconds(10)));

        backoff.Succeeded("a");
        Assert.False(backoff.IsBackingOff("a", now));
    }
}
