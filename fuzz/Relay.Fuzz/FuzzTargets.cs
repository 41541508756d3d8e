using System.Text;
using System.Xml;
using Relay.Core.Callbacks;
using Relay.Core.Ens;
using Relay.Core.Events;
using Relay.Core.MarketingCloud;
using Relay.Core.ProxyProtocol;
using Relay.Core.Reconciliation;

namespace Relay.Fuzz;

/// <summary>
/// The fuzz targets, one per reader of outside input. Each asserts more than "no crash": what the core
/// makes of the input is an event valid against its schema (or a refusal that says why), within its limits.
/// </summary>
public static class FuzzTargets
{
    private static readonly DateTimeOffset At = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);

    public static IReadOnlyDictionary<string, Action<byte[]>> All { get; } = new Dictionary<string, Action<byte[]>>(StringComparer.Ordinal)
    {
        ["form"] = Form,
        ["resultdetail"] = ResultDetail,
        ["expectation"] = Expectation,
        ["soap"] = Soap,
        ["token"] = Token,
        ["ens"] = EnsBatch,
        ["proxy"] = ProxyHeader,
    };

    // The core's objects are made on first use, inside a run: instrumented code must not run before
    // SharpFuzz has set up the coverage map (it would write to memory that is not there yet).
    private static CallbackEventFactory Callbacks => Factories.Callbacks;

    private static EnsEventFactory Ens => Factories.Ens;

    private static class Factories
    {
        // Small limits, so that the fuzzer reaches them.
        public static readonly CallbackEventFactory Callbacks = new(new CallbackEventOptions("/marketing-cloud/callbacks/fuzz",
            new ResultDetailXmlLimits(MaxCharacters: 4096, MaxDepth: 8)));

        public static readonly EnsEventFactory Ens = new("/marketing-cloud/callbacks/fuzz");
    }

    /// <summary>A callback's body: form, then event (callback or invalid).</summary>
    public static void Form(byte[] input)
    {
        var read = CallbackFormReader.Read(input);
        InvariantException.Unless(read.IsValid == (read.Describe() is null), "a read is valid exactly when it has no problem to describe");
        var callbackEvent = Callbacks.Create(read, input, At, "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
        EventInvariants.Check(callbackEvent, read.IsValid ? "callback" : "invalid");
        InvariantException.Unless(read.IsValid != (callbackEvent.RoutingKey == RoutingKeys.Invalid), "an invalid callback is callback.invalid, a valid one is not");
    }

    /// <summary>ResultDetailXML (the input as text) in a well-formed callback: its results as JSON, or kept raw with the reason.</summary>
    public static void ResultDetail(byte[] input)
    {
        string xml = Encoding.UTF8.GetString(input);
        var callback = new MarketingCloudCallback("fuzz-request", null, "OK", "OK", null, "0", "Asynchronous", "Asynchronous", xml, "1");
        EventInvariants.Check(Callbacks.CreateRecovered(new ResultMessage(callback, null), At), "recovered");
    }

    /// <summary>An expectation's JSON: refused with a reason, or read and written back to the same expectation.</summary>
    public static void Expectation(byte[] input)
    {
        if (!ExpectationJson.TryRead(input, out var expectation, out string? problem))
        {
            InvariantException.Unless(!string.IsNullOrEmpty(problem), "a refused expectation says why");
            return;
        }

        InvariantException.Unless(expectation.RequestId.Length is > 0 and <= ExpectationJson.MaxIdLength, "the RequestID is within its bounds");
        InvariantException.Unless(expectation.Source.Length is > 0 and <= ExpectationJson.MaxSourceLength, "the source is within its bounds");
        byte[] written = ExpectationJson.Write(expectation);
        InvariantException.Unless(ExpectationJson.TryRead(written, out var again, out _) && again == expectation, "an expectation written back reads the same");
        var missing = Callbacks.CreateMissing(expectation, At, 3, At, At);
        EventInvariants.Check(missing, "missing");
    }

    /// <summary>A SOAP Retrieve answer: read, or an XmlException for the caller to report; each final result as a recovered event.</summary>
    public static void Soap(byte[] input)
    {
        RetrieveResponse response;
        try
        {
            response = RetrieveSoap.ReadResponse(new MemoryStream(input, writable: false), maxCharacters: 1 << 20);
        }
        catch (XmlException)
        {
            return;
        }

        foreach (var result in response.Results.Where(result => result.IsFinal))
        {
            EventInvariants.Check(Callbacks.CreateRecovered(result, At), "recovered");
        }
    }

    /// <summary>The token endpoint's answer: refused with a reason, or a token with bounded life and allowed URIs.</summary>
    public static void Token(byte[] input)
    {
        if (!TokenAnswer.TryRead(input, out var answer, out string? problem))
        {
            InvariantException.Unless(!string.IsNullOrEmpty(problem), "a refused answer says why");
            return;
        }

        InvariantException.Unless(answer.Lifetime > TimeSpan.Zero && answer.Lifetime <= TokenAnswer.MaxLifetime, "the token's life is bounded");
        InvariantException.Unless(TokenAnswer.IsAllowed(answer.SoapBase) && (answer.RestBase is null || TokenAnswer.IsAllowed(answer.RestBase)), "only allowed URIs");
        InvariantException.Unless(answer.AccessToken.Length > 0, "a token");
    }

    /// <summary>An ENS post: a batch of 1 to 1,000 events, each valid against the ENS event schema; a verification; or refused with a reason.</summary>
    public static void EnsBatch(byte[] input)
    {
        var read = EnsBodyReader.Read(input);
        if (read.Problem is not null)
        {
            InvariantException.Unless(read.Notifications.Count == 0 && read.Verification is null, "a refused body yields nothing");
            return;
        }

        if (read.Verification is { } verification)
        {
            EventInvariants.Check(Ens.CreateVerification(verification, At), "ens-verification");
            return;
        }

        InvariantException.Unless(read.Notifications.Count is > 0 and <= EnsBody.MaxEvents, "a batch has 1 to 1,000 events");
        foreach (var notification in read.Notifications)
        {
            EventInvariants.Check(Ens.Create(notification, At), "ens-event");
        }
    }

    /// <summary>
    /// A connection's first bytes behind a load balancer: a PROXY header read whole (and the same read in
    /// two segments, and none of it complete before its last byte), a refusal that says why, or a wait for
    /// more that stays within the limits.
    /// </summary>
    public static void ProxyHeader(byte[] input)
    {
        var status = ProxyHeaderParser.TryParse(input, out var header, out int consumed, out string? problem);
        int middle = input.Length / 2;
        var split = ProxyHeaderParser.TryParse(Split(input, middle), out var splitHeader, out int splitConsumed, out _);
        InvariantException.Unless(split == status && splitConsumed == consumed && splitHeader == header, "two segments read as one");
        switch (status)
        {
            case ProxyHeaderStatus.Invalid:
                InvariantException.Unless(header is null && consumed == 0 && !string.IsNullOrEmpty(problem), "a refusal says why and takes nothing");
                break;
            case ProxyHeaderStatus.NeedMore:
                InvariantException.Unless(header is null && input.Length < ProxyHeaderParser.MaxHeaderBytes, "a wait for more stays within the limit");
                break;
            default:
                InvariantException.Unless(header is not null && consumed > 0 && consumed <= input.Length, "a header takes what it read");
                InvariantException.Unless(consumed <= (header!.Version == 1 ? ProxyHeaderParser.MaxV1Bytes : ProxyHeaderParser.MaxHeaderBytes), "a header within its version's limit");
                InvariantException.Unless(header.Client is not null || header.Version == 2, "only version 2's LOCAL has no client");
                InvariantException.Unless(ProxyHeaderParser.TryParse(input.AsSpan(0, consumed - 1), out _, out _, out _) == ProxyHeaderStatus.NeedMore,
                    "a header is not complete before its last byte");
                break;
        }
    }

    private static System.Buffers.ReadOnlySequence<byte> Split(byte[] input, int at)
    {
        if (at == 0 || at == input.Length)
        {
            return new System.Buffers.ReadOnlySequence<byte>(input);
        }

        var first = new Piece(input.AsMemory(0, at), 0);
        var second = new Piece(input.AsMemory(at), at);
        first.Link(second);
        return new System.Buffers.ReadOnlySequence<byte>(first, 0, second, input.Length - at);
    }

    private sealed class Piece : System.Buffers.ReadOnlySequenceSegment<byte>
    {
        public Piece(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public void Link(Piece next) => Next = next;
    }
}
