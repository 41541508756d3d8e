using System.Diagnostics.Metrics;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using RabbitMQ.Client;
using Relay.Core.Callbacks;
using Relay.Core.Events;
using Relay.Infrastructure;
using Relay.Telemetry;

namespace Relay.Reconciliation;

/// <summary>
/// Every registered call ends as exactly one event, end to end over the real broker, with the stand-in of
/// Marketing Cloud's token and SOAP endpoints. Grace and RetryInterval are one second here.
/// </summary>
public sealed class ReconciliationTests
{
    private static readonly TimeSpan Quiet = TimeSpan.FromSeconds(4);

    [Fact]
    public async Task CallbackAfterRegistration_FulfilsIt_WithoutRetrieve()
    {
        await using var relay = await ReconcilingRelay.StartAsync();
        string requestId = Guid.NewGuid().ToString();
        relay.MarketingCloud.AddResult(requestId);

        await relay.PublishExpectationAsync(requestId, null);
        await Eventually.HoldsAsync(TimeSpan.FromSeconds(10), async () => await TestBroker.ReadyAsync(relay.ExpectationsQueue + ".grace") == 1,
            "the expectation to be registered (waiting out its one-second grace)");
        using (var answer = await relay.Relay.PostCallbackAsync(CallbackForms.Success(requestId)))
        {
            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        }

        var events = await relay.EventsUntilQuietAsync(Quiet);

        var only = Assert.Single(events);
        Assert.Equal("callback.ok", only.RoutingKey);
        Assert.False(Json(only).TryGetProperty("recovery", out _));
        Assert.Equal(0, relay.MarketingCloud.RetrievesOf(requestId));
    }

    [Fact]
    public async Task CallbackBeforeRegistration_FulfilsIt_WithoutRetrieve()
    {
        await using var relay = await ReconcilingRelay.StartAsync();
        string requestId = Guid.NewGuid().ToString();
        relay.MarketingCloud.AddResult(requestId);

        using (var answer = await relay.Relay.PostCallbackAsync(CallbackForms.Success(requestId)))
        {
            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        }

        Assert.Equal("callback.ok", (await relay.Events.ReceiveAsync()).RoutingKey);
        await relay.PublishExpectationAsync(requestId, null);

        await relay.Events.AssertEmptyAsync(Quiet);
        Assert.Equal(0, relay.MarketingCloud.RetrievesOf(requestId));
    }

    [Fact]
    public async Task NoCallback_IsRecoveredFromTheResultMessage_AsTheEventItsCallbackWouldHaveBeen()
    {
        await using var relay = await ReconcilingRelay.StartAsync();
        string requestId = Guid.NewGuid().ToString();
        const string xml = "<CreateResponse xmlns=\"http://exacttarget.com/wsdl/partnerAPI\"><Results><StatusCode>Error</StatusCode><OrdinalID>0</OrdinalID><ErrorCode>12000</ErrorCode></Results></CreateResponse>";
        relay.MarketingCloud.AddResult(requestId, "Has Errors", xml, statusMessage: "One or more objects failed.", errorCode: "12000");

        await relay.PublishExpectationAsync(requestId, null);
        var recovered = await relay.Events.ReceiveAsync(TimeSpan.FromSeconds(15));

        Assert.Equal("callback.has-errors", recovered.RoutingKey);
        var json = Json(recovered);
        Assert.Equal("resultmessage", json.GetProperty("recovery").GetString());
        Assert.Equal(RelayServer.EventSource, json.GetProperty("source").GetString());
        Assert.Equal(CallbackEventOptions.EventType, json.GetProperty("type").GetString());
        Assert.Equal(requestId, json.GetProperty("subject").GetString());
        var data = json.GetProperty("data");
        Assert.Equal("Has Errors", data.GetProperty("overallStatusCode").GetString());
        Assert.Equal(12000, data.GetProperty("errorCode").GetInt32());
        Assert.Equal("Error", data.GetProperty("results")[0].GetProperty("StatusCode").GetString());

        // The id its callback would have had, so a consumer that saw the callback too drops one of them.
        var callback = new MarketingCloudCallback(requestId, null, "Has Errors", "Has Errors", "One or more objects failed.", "12000",
            "Asynchronous", "Asynchronous", xml, null);
        Assert.Equal(EventIds.ForCallback(RelayServer.EventSource, callback), recovered.MessageId);
        Assert.Equal(recovered.MessageId, json.GetProperty("id").GetString());
        await relay.Events.AssertEmptyAsync(Quiet);
        Assert.Equal(1, relay.MarketingCloud.RetrievesOf(requestId));
    }

    [Fact]
    public async Task OnError_Success_IsRecovered()
    {
        await using var relay = await ReconcilingRelay.StartAsync();
        string requestId = Guid.NewGuid().ToString();
        relay.MarketingCloud.AddResult(requestId);

        await relay.PublishExpectationAsync(requestId, "OnError");
        var recovered = await relay.Events.ReceiveAsync(TimeSpan.FromSeconds(15));

        Assert.Equal("callback.ok", recovered.RoutingKey);
        Assert.Equal("resultmessage", Json(recovered).GetProperty("recovery").GetString());
        await relay.Events.AssertEmptyAsync(Quiet);
    }

    [Fact]
    public async Task NotFinalAtFirst_IsRetrievedAgain_UntilItIs()
    {
        await using var relay = await ReconcilingRelay.StartAsync();
        string requestId = Guid.NewGuid().ToString();

        await relay.PublishExpectationAsync(requestId, null);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (relay.MarketingCloud.RetrievesOf(requestId) < 2 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        Assert.True(relay.MarketingCloud.RetrievesOf(requestId) >= 2);
        relay.MarketingCloud.AddResult(requestId, "Error", statusMessage: "Subscriber not found", errorCode: "180008");
        var recovered = await relay.Events.ReceiveAsync(TimeSpan.FromSeconds(15));

        Assert.Equal("callback.error", recovered.RoutingKey);
        await relay.Events.AssertEmptyAsync(Quiet);
    }

    [Fact]
    public async Task NothingFinalByMaxAge_IsReportedMissing_Once()
    {
        await using var relay = await ReconcilingRelay.StartAsync(maxAge: "00:00:04");
        string requestId = Guid.NewGuid().ToString();
        var submitted = DateTimeOffset.UtcNow;

        await relay.PublishExpectationAsync($$"""{"source":"test","requestId":"{{requestId}}","conversationId":"conv-1","respondWhen":"OnCallComplete","submittedAt":"{{submitted:O}}"}""");
        var missing = await relay.Events.ReceiveAsync(TimeSpan.FromSeconds(20));

        Assert.Equal("callback.missing", missing.RoutingKey);
        var json = Json(missing);
        Assert.Equal(CallbackEventOptions.MissingEventType, json.GetProperty("type").GetString());
        Assert.Equal(EventIds.ForMissing(RelayServer.EventSource, requestId), missing.MessageId);
        Assert.Equal(requestId, json.GetProperty("subject").GetString());
        var data = json.GetProperty("data");
        Assert.Equal(requestId, data.GetProperty("requestId").GetString());
        Assert.Equal("conv-1", data.GetProperty("conversationId").GetString());
        Assert.Equal("OnCallComplete", data.GetProperty("respondWhen").GetString());
        int retrieves = data.GetProperty("retrieves").GetInt32();
        Assert.InRange(retrieves, 2, 6);
        Assert.Equal(relay.MarketingCloud.RetrievesOf(requestId), retrieves);
        Assert.True(data.GetProperty("registeredAt").GetDateTimeOffset() >= submitted.AddSeconds(-1));
        await relay.Events.AssertEmptyAsync(Quiet);
    }

    [Fact]
    public async Task TransientFailures_AreRetried_AndTheTokenIsReused()
    {
        await using var relay = await ReconcilingRelay.StartAsync();
        relay.MarketingCloud.FailNext(
            MarketingCloudStandIn.Failure.ServiceUnavailable,
            MarketingCloudStandIn.Failure.Fault,
            MarketingCloudStandIn.Failure.Slow);
        var requestIds = Enumerable.Range(0, 5).Select(_ => Guid.NewGuid().ToString()).ToList();
        foreach (string requestId in requestIds)
        {
            relay.MarketingCloud.AddResult(requestId);
            await relay.PublishExpectationAsync(requestId, "OnError");
        }

        var events = new List<ReceivedMessage>();
        for (int i = 0; i < requestIds.Count; i++)
        {
            events.Add(await relay.Events.ReceiveAsync(TimeSpan.FromSeconds(40)));
        }

        Assert.Equal(requestIds.Order(), events.Select(message => message.Subject!).Order());
        await relay.Events.AssertEmptyAsync(Quiet);
        Assert.Equal(1, relay.MarketingCloud.TokenCalls);
    }

    [Fact]
    public async Task TricklingAnswers_AreTimeoutsWithinRequestTimeout_AndHoldNoRetrieveSlot()
    {
        // One retrieve at a time: before every exchange had a deadline, a token answer trickling a byte a
        // second held the token renewal, and a trickling SOAP answer the one slot, for minutes.
        await using var relay = await ReconcilingRelay.StartAsync(configure: settings => settings["Relay:Reconciliation:Concurrency"] = "1");
        using var failures = new MetricCollector<long>(relay.Relay.Services.GetRequiredService<IMeterFactory>(), RelayTelemetry.MeterName,
            "relay.reconciliation.retrieve.failures");
        relay.MarketingCloud.TricklingTokenAnswers = 1;
        relay.MarketingCloud.FailNext(MarketingCloudStandIn.Failure.Trickle);
        var requestIds = Enumerable.Range(0, 3).Select(_ => Guid.NewGuid().ToString()).ToList();
        foreach (string requestId in requestIds)
        {
            relay.MarketingCloud.AddResult(requestId);
            await relay.PublishExpectationAsync(requestId, "OnError");
        }

        var events = new List<ReceivedMessage>();
        for (int i = 0; i < requestIds.Count; i++)
        {
            events.Add(await relay.Events.ReceiveAsync(TimeSpan.FromSeconds(30)));
        }

        Assert.Equal(requestIds.Order(), events.Select(message => message.Subject!).Order());
        var timeouts = failures.GetMeasurementSnapshot().Where(measurement => (string?)measurement.Tags["error.type"] == "timeout").ToList();
        Assert.Equal(2, timeouts.Count);
    }

    [Fact]
    public async Task LoginFailedOr401_FetchesANewTokenOnce()
    {
        await using var relay = await ReconcilingRelay.StartAsync();
        string first = Guid.NewGuid().ToString();
        relay.MarketingCloud.AddResult(first);
        await relay.PublishExpectationAsync(first, "OnError");
        await relay.Events.ReceiveAsync(TimeSpan.FromSeconds(15));
        Assert.Equal(1, relay.MarketingCloud.TokenCalls);

        relay.MarketingCloud.ExpireTokens();
        string second = Guid.NewGuid().ToString();
        relay.MarketingCloud.AddResult(second);
        await relay.PublishExpectationAsync(second, "OnError");
        var recovered = await relay.Events.ReceiveAsync(TimeSpan.FromSeconds(15));

        Assert.Equal(second, recovered.Subject);
        Assert.Equal(2, relay.MarketingCloud.TokenCalls);
        Assert.Equal(1, relay.MarketingCloud.RetrievesOf(second));

        relay.MarketingCloud.FailNext(MarketingCloudStandIn.Failure.Unauthorized);
        string third = Guid.NewGuid().ToString();
        relay.MarketingCloud.AddResult(third);
        await relay.PublishExpectationAsync(third, "OnError");
        Assert.Equal(third, (await relay.Events.ReceiveAsync(TimeSpan.FromSeconds(15))).Subject);
        Assert.Equal(3, relay.MarketingCloud.TokenCalls);
        await relay.Events.AssertEmptyAsync(Quiet);
    }

    [Fact]
    public async Task OversizedTokenAnswer_IsNotReadOn_AndTheRetrieveIsTriedAgain()
    {
        await using var relay = await ReconcilingRelay.StartAsync();
        string requestId = Guid.NewGuid().ToString();
        relay.MarketingCloud.AddResult(requestId);
        relay.MarketingCloud.TokenAnswerPadding = 1024 * 1024;

        await relay.PublishExpectationAsync(requestId, null);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (relay.MarketingCloud.TokenCalls < 2)
        {
            Assert.True(DateTime.UtcNow < deadline, "the token was not asked for again");
            await Task.Delay(100);
        }

        Assert.Equal(0, relay.MarketingCloud.SoapCalls);
        relay.MarketingCloud.TokenAnswerPadding = 0;
        Assert.Equal(requestId, (await relay.Events.ReceiveAsync(TimeSpan.FromSeconds(15))).Subject);
    }

    [Fact]
    public async Task ShortLivedTokens_AreRenewedBeforeTheyExpire()
    {
        await using var relay = await ReconcilingRelay.StartAsync();
        relay.MarketingCloud.TokenLifetimeSeconds = 2;
        for (int i = 0; i < 3; i++)
        {
            string requestId = Guid.NewGuid().ToString();
            relay.MarketingCloud.AddResult(requestId);
            await relay.PublishExpectationAsync(requestId, "OnError");
            await relay.Events.ReceiveAsync(TimeSpan.FromSeconds(15));

            // Time itself is the subject here: each round starts past the half-life of a 2 s token.
            await Task.Delay(1500);
        }

        // Renewed at half its life each time, and never used once Marketing Cloud would refuse it.
        Assert.InRange(relay.MarketingCloud.TokenCalls, 2, 3);
    }

    [Fact]
    public async Task ResultOnALaterPage_IsFound_WithContinueRequest()
    {
        await using var relay = await ReconcilingRelay.StartAsync();
        relay.MarketingCloud.PageSize = 3;
        string requestId = Guid.NewGuid().ToString();
        relay.MarketingCloud.AddResult(requestId);
        relay.MarketingCloud.AddUnrelated(requestId, 7);

        await relay.PublishExpectationAsync(requestId, null);
        var recovered = await relay.Events.ReceiveAsync(TimeSpan.FromSeconds(15));

        Assert.Equal(requestId, recovered.Subject);
        Assert.Equal(1, relay.MarketingCloud.RetrievesOf(requestId));
        Assert.True(relay.MarketingCloud.SoapCalls >= 3, $"{relay.MarketingCloud.SoapCalls} SOAP calls for 3 pages");
    }

    [Fact]
    public async Task MalformedExpectations_AreDropped_AndTheConsumerGoesOn()
    {
        await using var relay = await ReconcilingRelay.StartAsync();
        foreach (string malformed in new[]
        {
            "not json",
            """{"source":"test"}""",
            """{"source":"nobody","requestId":"x"}""",
            """{"source":"test","requestId":"x","respondWhen":"Sometimes"}""",
            """{"source":"test","requestId":"x","requestId":"y"}""",
            """[{"source":"test","requestId":"x"}]""",
        })
        {
            await relay.PublishExpectationAsync(malformed);
        }

        string requestId = Guid.NewGuid().ToString();
        relay.MarketingCloud.AddResult(requestId);
        await relay.PublishExpectationAsync(requestId, "OnError");

        var recovered = await relay.Events.ReceiveAsync(TimeSpan.FromSeconds(15));
        Assert.Equal(requestId, recovered.Subject);
        await relay.Events.AssertEmptyAsync(Quiet);
        await AssertQueueEmptyAsync(relay.ExpectationsQueue);
    }

    [Fact]
    public async Task PostExpectations_Registers_OneOrMany_AndRefusesWhatCannotBeReconciled()
    {
        await using var relay = await ReconcilingRelay.StartAsync();
        string one = Guid.NewGuid().ToString();
        string two = Guid.NewGuid().ToString();
        string three = Guid.NewGuid().ToString();
        foreach (string requestId in new[] { one, two, three })
        {
            relay.MarketingCloud.AddResult(requestId);
        }

        var single = await relay.PostExpectationsAsync(ReconcilingRelay.Expectation(one, "OnError"));
        var many = await relay.PostExpectationsAsync($"[{ReconcilingRelay.Expectation(two, "OnError")},{ReconcilingRelay.Expectation(three)}]");
        var unknownSource = await relay.PostExpectationsAsync("""{"source":"nobody","requestId":"x"}""");
        var secondBad = await relay.PostExpectationsAsync("[" + ReconcilingRelay.Expectation("y") + """,{"requestId":"z"}]""");
        var notJson = await relay.PostExpectationsAsync("{", "application/json");
        var form = await relay.PostExpectationsAsync("source=test", "application/x-www-form-urlencoded");

        Assert.Equal(HttpStatusCode.Accepted, single.Status);
        Assert.Equal(1, JsonDocument.Parse(single.Body).RootElement.GetProperty("registered").GetInt32());
        Assert.Equal(HttpStatusCode.Accepted, many.Status);
        Assert.Equal(2, JsonDocument.Parse(many.Body).RootElement.GetProperty("registered").GetInt32());
        Assert.Equal(HttpStatusCode.BadRequest, unknownSource.Status);
        Assert.Contains("nobody", unknownSource.Body, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, secondBad.Status);
        Assert.Contains("[1]", secondBad.Body, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, notJson.Status);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, form.Status);

        var events = new List<ReceivedMessage>();
        for (int i = 0; i < 3; i++)
        {
            events.Add(await relay.Events.ReceiveAsync(TimeSpan.FromSeconds(15)));
        }

        Assert.Equal(new[] { one, two, three }.Order(), events.Select(message => message.Subject!).Order());
        await relay.Events.AssertEmptyAsync(Quiet);
    }

    [Fact]
    public async Task PostExpectations_IsOnAdminOnly_AndAbsentWhenReconciliationIsOff()
    {
        await using var relay = await RelayServer.StartAsync();
        using var admin = relay.CreateAdminClient();
        using var content = new StringContent(ReconcilingRelay.Expectation("x"), System.Text.Encoding.UTF8, "application/json");

        using var response = await admin.PostAsync("/expectations", content);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task PostExpectations_ABodyOfTheLimitIsRead_OnePastItIs413(bool declaredLength)
    {
        await using var relay = await ReconcilingRelay.StartAsync();
        string expectation = ReconcilingRelay.Expectation(Guid.NewGuid().ToString());
        int limit = (int)ExpectationsEndpoint.MaxBodyBytes;

        // Padded with JSON whitespace to the byte; without a length, the body comes chunked.
        var atLimit = await PostPaddedAsync(relay, expectation, limit, declaredLength);
        var pastLimit = await PostPaddedAsync(relay, expectation, limit + 1, declaredLength);

        Assert.Equal(HttpStatusCode.Accepted, atLimit);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, pastLimit);
    }

    private static async Task<HttpStatusCode> PostPaddedAsync(ReconcilingRelay relay, string expectation, int bytes, bool declaredLength)
    {
        byte[] body = System.Text.Encoding.UTF8.GetBytes(expectation.PadLeft(bytes));
        using HttpContent content = declaredLength ? new ByteArrayContent(body) : new StreamContent(new UnknownLengthStream(body));
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        using var admin = relay.Relay.CreateAdminClient();
        using var response = await admin.PostAsync("/expectations", content);
        return response.StatusCode;
    }

    private sealed class UnknownLengthStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
    }

    [Fact]
    public async Task OldestOpenAge_IsThisSessionsOwn_AndStartsOverWhenTheSessionEnds()
    {
        // Found in review: the ages of what a session had taken outlived it, so an instance that lost the
        // expectations to another one reported a growing age for good.
        await using var relay = await ReconcilingRelay.StartAsync(maxAge: "00:10:00", configure: settings => settings["Relay:Reconciliation:Grace"] = "00:01:00");
        await relay.PublishExpectationAsync(Guid.NewGuid().ToString(), null);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (await OldestOpenAgeAsync(relay) < 1)
        {
            Assert.True(DateTime.UtcNow < deadline, "the waiting expectation's age was never reported");
            await Task.Delay(200);
        }

        // The session ends (its channel closed under it); the next one has taken nothing yet.
        var reconciler = relay.Relay.Services.GetRequiredService<Reconciler>();
        var ended = reconciler.PublishChannel!;
        await ended.CloseAsync();
        deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (reconciler.PublishChannel is not { IsOpen: true } next || ReferenceEquals(next, ended))
        {
            Assert.True(DateTime.UtcNow < deadline, "reconciliation did not start a new session");
            await Task.Delay(50);
        }

        Assert.Equal(0, await OldestOpenAgeAsync(relay));
    }

    /// <summary>
    /// The gauge as this Relay's own meters report it, as the other metric tests read theirs: the tests' Relays
    /// share the process, and /metrics exports every meter named "Relay" in it (a scrape in a full run once
    /// came without this gauge).
    /// </summary>
    private static Task<double> OldestOpenAgeAsync(ReconcilingRelay relay)
    {
        using var gauge = new MetricCollector<double>(relay.Relay.Services.GetRequiredService<IMeterFactory>(), RelayTelemetry.MeterName,
            "relay.reconciliation.oldest_open.age");
        gauge.RecordObservableInstruments();
        return Task.FromResult(Assert.Single(gauge.GetMeasurementSnapshot()).Value);
    }

    private static async Task AssertQueueEmptyAsync(string queue)
    {
        await using var connection = await TestBroker.ConnectAsync("relay-tests-inspect");
        await using var channel = await connection.CreateChannelAsync();
        Assert.Equal(0u, (await channel.QueueDeclarePassiveAsync(queue)).MessageCount);
    }

    private static JsonElement Json(ReceivedMessage message) => message.Json().RootElement.Clone();
}
