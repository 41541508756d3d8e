using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using Relay.Core.Ens;
using Relay.Core.Events;
using Relay.Infrastructure;

namespace Relay.Ens;

/// <summary>
/// ENS end to end: <see cref="EnsStandIn"/> posting signed batches over real HTTPS to Relay, whose events a
/// consumer's queue on a real RabbitMQ receives; the stand-in of Marketing Cloud's REST API for verification.
/// </summary>
public sealed class EnsTests
{
    public const string Key = EnsStandIn.Key;
    private const string RotatedKey = "q83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJA=";
    private static readonly string Path = EnsStandIn.Path;

    [Fact]
    public async Task Batches_OfOneThreeAndAThousandEvents_BecomeOneEventEach_AndARetriedBatchGivesTheSameIds()
    {
        await using var relay = await StartAsync();
        await using var events = await EventQueue.BindAsync(relay.Exchange, "ens.#");

        string one = Batch(1, "TransactionalSendEvents.EmailSent");
        await PostAsync(relay, one, HttpStatusCode.OK);
        var received = await events.ReceiveAsync();
        Assert.Equal("ens.transactionalsendevents.emailsent", received.RoutingKey);
        using (var json = received.Json())
        {
            var root = json.RootElement;
            Assert.Equal("1.0", root.GetProperty("specversion").GetString());
            Assert.Equal("com.salesforce.marketingcloud.ens.TransactionalSendEvents.EmailSent", root.GetProperty("type").GetString());
            Assert.Equal(RelayServer.EventSource, root.GetProperty("source").GetString());
            Assert.Equal("2026-12-07T10:00:00.000Z", root.GetProperty("time").GetString());
            Assert.Equal(received.MessageId, root.GetProperty("id").GetString());
            Assert.Equal(ObjectsOf(one)[0], root.GetProperty("data").GetRawText());
        }

        string three = Batch(3, "EngagementEvents.EmailOpen");
        await PostAsync(relay, three, HttpStatusCode.OK);
        var first = await ReceiveAsync(events, 3);
        Assert.All(first, message => Assert.Equal("ens.engagementevents.emailopen", message.RoutingKey));
        Assert.Equal(3, first.Select(message => message.MessageId).Distinct().Count());

        // ENS retries a batch it did not see answered: the same events, the same ids.
        await PostAsync(relay, three, HttpStatusCode.OK);
        var retried = await ReceiveAsync(events, 3);
        Assert.Equal(first.Select(message => message.MessageId).Order(), retried.Select(message => message.MessageId).Order());

        await PostAsync(relay, Batch(EnsBody.MaxEvents, "SendEvents.AutomationInstanceCompleted"), HttpStatusCode.OK);
        var thousand = await ReceiveAsync(events, EnsBody.MaxEvents);
        Assert.Equal(EnsBody.MaxEvents, thousand.Select(message => message.MessageId).Distinct().Count());
        await events.AssertEmptyAsync();
    }

    [Fact]
    public async Task Categories_BecomeRoutingKeys_AndAnEventWithoutOne_IsUnknown_WithTheReceivedTime()
    {
        await using var relay = await StartAsync();
        await using var events = await EventQueue.BindAsync(relay.Exchange, "ens.#");
        string batch = """[{"eventCategoryType":"Custom Events/Odd_Category!","timestampUTC":1796637600000},{"info":{"a":[1,2,{"b":null}]},"timestampUTC":"not a number"}]""";
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);
        await PostAsync(relay, batch, HttpStatusCode.OK);
        var received = await ReceiveAsync(events, 2);
        var odd = received.Single(message => message.RoutingKey != RoutingKeys.EnsUnknown);
        Assert.Equal("ens.custom-events-odd-category-", odd.RoutingKey);
        var unknown = received.Single(message => message.RoutingKey == RoutingKeys.EnsUnknown);
        using var json = unknown.Json();
        Assert.Equal("com.salesforce.marketingcloud.ens.unknown", json.RootElement.GetProperty("type").GetString());
        Assert.InRange(json.RootElement.GetProperty("time").GetDateTimeOffset(), before, DateTimeOffset.UtcNow.AddSeconds(1));
        Assert.Equal("""{"info":{"a":[1,2,{"b":null}]},"timestampUTC":"not a number"}""", json.RootElement.GetProperty("data").GetRawText());
    }

    [Fact]
    public async Task MissingWrongAndRotatedSignatures_AreRefused401_AndPublishNothing_WhileEitherCurrentKeyWorks()
    {
        await using var relay = await StartAsync(settings => settings["Relay:Callbacks:Sources:test:Ens:SignatureKeys:1"] = RotatedKey);
        await using var events = await EventQueue.BindAsync(relay.Exchange, "#");
        string batch = Batch(2, "TransactionalSendEvents.EmailBounced");

        await PostAsync(relay, batch, HttpStatusCode.Unauthorized, signature: null);
        await PostAsync(relay, batch, HttpStatusCode.Unauthorized, signature: EnsSignature.Sign(Encoding.UTF8.GetBytes(batch), "ens-key-retired-0000000000000000000000"));
        await PostAsync(relay, batch, HttpStatusCode.Unauthorized, signature: "not base64!");
        await PostAsync(relay, batch, HttpStatusCode.Unauthorized, signature: EnsSignature.Sign(Encoding.UTF8.GetBytes(batch + " "), Key));

        // A key read the other way (its base64 decoding rather than its UTF-8 bytes) is not the key Relay was told of.
        await PostAsync(relay, batch, HttpStatusCode.Unauthorized, signature: EnsSignature.Sign(Encoding.UTF8.GetBytes(batch), RotatedKey, EnsKeyEncoding.Base64));
        await events.AssertEmptyAsync();

        await PostAsync(relay, batch, HttpStatusCode.OK, signature: EnsSignature.Sign(Encoding.UTF8.GetBytes(batch), Key));
        await PostAsync(relay, batch, HttpStatusCode.OK, signature: EnsSignature.Sign(Encoding.UTF8.GetBytes(batch), RotatedKey));
        Assert.Equal(4, (await ReceiveAsync(events, 4)).Count);
    }

    [Fact]
    public async Task Base64KeyEncoding_VerifiesWithTheDecodedKey()
    {
        string base64Key = Convert.ToBase64String(Encoding.UTF8.GetBytes("a decoded key of some length!"));
        await using var relay = await StartAsync(settings =>
        {
            settings["Relay:Callbacks:Sources:test:Ens:SignatureKeys:0"] = base64Key;
            settings["Relay:Callbacks:Sources:test:Ens:SignatureKeyEncoding"] = "Base64";
        });
        string batch = Batch(1, "TransactionalSendEvents.SmsSent");
        await PostAsync(relay, batch, HttpStatusCode.Unauthorized, signature: EnsSignature.Sign(Encoding.UTF8.GetBytes(batch), base64Key));
        await PostAsync(relay, batch, HttpStatusCode.OK, signature: EnsSignature.Sign(Encoding.UTF8.GetBytes(batch), base64Key, EnsKeyEncoding.Base64));
    }

    [Fact]
    public async Task MalformedBodies_Get400_OtherMediaTypes415_OtherMethods405_AndTooLarge413_PublishingNothing()
    {
        await using var relay = await StartAsync(settings => settings["Relay:Callbacks:MaxBodyBytes"] = "65536");
        await using var events = await EventQueue.BindAsync(relay.Exchange, "#");
        foreach (string body in new[]
        {
            "not json", "[]", "[1,2]", "[{\"a\":1},\"x\"]", "{\"a\":1}", "\"text\"", "[{\"a\":1,\"a\":2}]", "[{\"a\":1}] trailing",
            "[{\"a\":1},]", Batch(EnsBody.MaxEvents + 1, "TransactionalSendEvents.EmailSent"), new string('[', 100) + new string(']', 100),
        })
        {
            var expected = Encoding.UTF8.GetByteCount(body) > 65536 ? HttpStatusCode.RequestEntityTooLarge : HttpStatusCode.BadRequest;
            await PostAsync(relay, body, expected);
        }

        using var client = relay.CreateClient();
        string batch = Batch(1, "TransactionalSendEvents.EmailSent");
        using (var form = await client.PostAsync(Path, Signed(new StringContent(batch, Encoding.UTF8, "application/x-www-form-urlencoded"), batch)))
        {
            Assert.Equal(HttpStatusCode.UnsupportedMediaType, form.StatusCode);
        }

        using (var get = await client.GetAsync(Path))
        {
            Assert.Equal(HttpStatusCode.MethodNotAllowed, get.StatusCode);
        }

        await PostAsync(relay, "[" + string.Join(",", Enumerable.Repeat("{\"p\":\"" + new string('x', 1000) + "\"}", 70)) + "]", HttpStatusCode.RequestEntityTooLarge);
        await events.AssertEmptyAsync();
    }

    [Fact]
    public async Task ASourceWithoutEnsKeys_AndAWrongToken_Are404_LikeAnyUnknownPath_ButForTheVerificationOfACallbackBeingCreated()
    {
        await using var marketingCloud = await MarketingCloudStandIn.StartAsync();
        await using (var relay = await StartAsync(settings =>
        {
            settings.Remove("Relay:Callbacks:Sources:test:Ens:SignatureKeys:0");
            marketingCloud.Configure(settings);
        }))
        {
            await using var events = await EventQueue.BindAsync(relay.Exchange, "#");
            string batch = Batch(1, "TransactionalSendEvents.EmailSent");
            await PostAsync(relay, batch, HttpStatusCode.NotFound);
            await PostAsync(relay, batch, HttpStatusCode.NotFound, signature: null);
            using (var keyless = relay.CreateClient())
            using (var get = await keyless.GetAsync(Path))
            {
                Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
            }

            await events.AssertEmptyAsync();

            // The key comes in the answer to the call that creates the callback, during which ENS posts its
            // verification: Relay answers it, publishes it and verifies the callback.
            string callbackId = marketingCloud.AddEnsCallback("https://relay.example.com" + Path);
            string verification = $$"""{"callbackId":"{{callbackId}}","verificationKey":"b1c2d3e4f5a6b7c8"}""";
            await PostAsync(relay, verification, HttpStatusCode.NotFound);
            await PostAsync(relay, verification, HttpStatusCode.OK, signature: null);
            Assert.Equal(RoutingKeys.EnsVerification, (await events.ReceiveAsync()).RoutingKey);
            await Eventually.HoldsAsync(TimeSpan.FromSeconds(20), () => marketingCloud.Verifications.Count == 1, "the callback's verification");
        }

        await using var withEns = await StartAsync();
        string signed = Batch(1, "TransactionalSendEvents.EmailSent");
        using var client = withEns.CreateClient();
        using var wrongToken = await client.PostAsync("/marketing-cloud/ens/not-the-token-00000000000000000000000", Signed(Json(signed), signed));
        Assert.Equal(HttpStatusCode.NotFound, wrongToken.StatusCode);
        using var deeper = await client.PostAsync(Path + "/more", Signed(Json(signed), signed));
        Assert.Equal(HttpStatusCode.NotFound, deeper.StatusCode);
    }

    [Fact]
    public async Task AVerification_IsAnswered200_Published_AndVerifiedWithTheSourcesCredentials()
    {
        await using var marketingCloud = await MarketingCloudStandIn.StartAsync();
        await using var relay = await StartAsync(settings => marketingCloud.Configure(settings));
        await using var events = await EventQueue.BindAsync(relay.Exchange, "ens.#");
        string callbackId = marketingCloud.AddEnsCallback("https://relay.example.com" + Path);
        marketingCloud.FailVerifications(1);

        string verification = $$"""{"callbackId":"{{callbackId}}","verificationKey":"a1b2c3d4e5f6a7b8c9d0"}""";
        await PostAsync(relay, verification, HttpStatusCode.OK, signature: null);
        var received = await events.ReceiveAsync();
        Assert.Equal(RoutingKeys.EnsVerification, received.RoutingKey);
        using (var json = received.Json())
        {
            Assert.Equal(EnsEventFactory.VerificationType, json.RootElement.GetProperty("type").GetString());
            Assert.Equal(verification, json.RootElement.GetProperty("data").GetRawText());
        }

        // The first ens-verify call fails (500); the next attempt, about 10 s later, verifies it.
        await Eventually.HoldsAsync(TimeSpan.FromSeconds(40), () => marketingCloud.Verifications.Count == 1, "the callback's verification");
        Assert.Equal(verification, marketingCloud.Verifications.Single());
    }

    [Fact]
    public async Task AVerification_WithoutCredentials_IsAnswered200_AndPublished_ForTheOperatorToVerify()
    {
        await using var relay = await StartAsync();
        await using var events = await EventQueue.BindAsync(relay.Exchange, "ens.#");
        await PostAsync(relay, """{"callbackId":"c0ffee00-1111-2222-3333-444455556666","verificationKey":"k-0123456789"}""", HttpStatusCode.OK, signature: null);
        Assert.Equal(RoutingKeys.EnsVerification, (await events.ReceiveAsync()).RoutingKey);

        // Unsigned, only a verification is taken: anything else unsigned is 401.
        await PostAsync(relay, """{"callbackId":"c0ffee00","other":"k"}""", HttpStatusCode.Unauthorized, signature: null);
        await events.AssertEmptyAsync();
    }

    [Fact]
    public async Task WithTheBrokerDown_ABatchIsKeptInTheOutbox_AndAnsweredWithinEnsThreeSeconds()
    {
        await using var relay = await StartAsync(settings => settings["Relay:RabbitMq:Uri"] = "amqp://guest:guest@127.0.0.1:1/", waitUntilReady: false);
        string batch = Batch(50, "TransactionalSendEvents.EmailSent");
        var watch = Stopwatch.StartNew();
        await PostAsync(relay, batch, HttpStatusCode.OK);
        Assert.True(watch.Elapsed < EnsEndpoint.AnswerWindow, $"answered in {watch.Elapsed}");
        Assert.Equal(50, relay.OutboxDepth);
    }

    [Fact]
    public async Task EnsEvents_AreArchived_AndReplayedByRoutingKey_WithTheirIds()
    {
        await using var relay = await StartAsync();
        await using var events = await EventQueue.BindAsync(relay.Exchange, "ens.#");
        await PostAsync(relay, Batch(2, "EngagementEvents.EmailClick"), HttpStatusCode.OK);
        await PostAsync(relay, Batch(1, "TransactionalSendEvents.SmsSent"), HttpStatusCode.OK);
        var published = await ReceiveAsync(events, 3);
        await ArchiveStream.ReadAsync(relay.Exchange, expected: 3);
        await using var target = await TestQueue.DeclareAsync();

        var (exitCode, output, error) = await ReplayRun.RunAsync(relay.Exchange, "--routing-key", "ens.engagementevents.*", "--to-queue", target.Name);

        Assert.True(exitCode == 0, error);
        Assert.Equal("read 3, matched 2, published 2", output.Trim());
        var replayed = await target.TakeAllAsync();
        Assert.Equal(
            published.Where(message => message.RoutingKey == "ens.engagementevents.emailclick").Select(message => message.MessageId).Order(),
            replayed.Select(message => message.MessageId).Order());
    }

    [Fact]
    public async Task FromOutsideTheAllowlist_AnEnsPostIsClosedBeforeTls()
    {
        await using var relay = await StartAsync();
        string batch = Batch(1, "TransactionalSendEvents.EmailSent");
        Assert.Equal(EdgeAnswer.Closed, await EdgeAnswer.OfAsync(async () =>
        {
            using var outsider = relay.CreateClient(IPAddress.Parse("127.0.0.2"));
            using var content = Signed(Json(batch), batch);
            return await outsider.PostAsync(Path, content);
        }));
    }

    [Fact]
    public async Task TheTokenIsInNoRecordedPath()
    {
        var redactor = new Callbacks.CallbackPathRedactor([new Callbacks.TokenDoor("/marketing-cloud/callbacks"), new Callbacks.TokenDoor("/marketing-cloud/ens")]);
        Assert.Equal("/marketing-cloud/ens/{token}", redactor.Redact(Path));
        Assert.Equal("/marketing-cloud/callbacks/{token}", redactor.Redact("/marketing-cloud/callbacks/" + RelayServer.Token));
        Assert.Equal("/other", redactor.Redact("/other"));
        await Task.CompletedTask;
    }

    internal static Task<RelayServer> StartAsync(Action<Dictionary<string, string?>>? configure = null, bool waitUntilReady = true) =>
        RelayServer.StartAsync(settings =>
        {
            settings["Relay:Callbacks:Sources:test:Ens:SignatureKeys:0"] = Key;
            configure?.Invoke(settings);
        }, waitUntilReady: waitUntilReady);

    internal static string Batch(int count, string category) => EnsStandIn.Batch(count, category);

    internal static async Task PostAsync(RelayServer relay, string body, HttpStatusCode expected, string? signature = "")
    {
        using var client = relay.CreateClient();
        Assert.Equal(expected, await EnsStandIn.PostAsync(client, body, signature));
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    private static HttpContent Signed(HttpContent content, string body)
    {
        content.Headers.Add(EnsEndpoint.SignatureHeader, EnsSignature.Sign(Encoding.UTF8.GetBytes(body), Key));
        return content;
    }

    private static List<string> ObjectsOf(string batch)
    {
        using var json = JsonDocument.Parse(batch);
        return [.. json.RootElement.EnumerateArray().Select(element => element.GetRawText())];
    }

    private static async Task<List<ReceivedMessage>> ReceiveAsync(EventQueue events, int count)
    {
        var received = new List<ReceivedMessage>(count);
        for (int i = 0; i < count; i++)
        {
            received.Add(await events.ReceiveAsync(TimeSpan.FromSeconds(30)));
        }

        return received;
    }
}
