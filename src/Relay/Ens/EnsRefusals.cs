using Relay.Core.Ens;

namespace Relay.Ens;

/// <summary>
/// Logs ENS posts refused for their signature as the edge logs its refusals: each at Debug, and at most
/// one Warning per <see cref="Interval"/> with how many since the last. Never the body, the signature or a
/// key. A signature that one of the source's keys makes under the other reading (UTF-8 bytes or base64)
/// says so, so that an operator can tell a wrong setting from a wrong key.
/// </summary>
internal sealed partial class EnsRefusals(TimeProvider time, ILogger<EnsRefusals> logger)
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    private readonly Lock _lock = new();
    private long _lastSummary = long.MinValue;
    private int _missing;
    private int _wrong;
    private int _otherReading;

    public void Refused(string source, EnsSignatureCheck check, EnsSignature signature)
    {
        string problem = Describe(check);
        Log.Refused(logger, source, problem, signature.KeyCount, signature.Encoding);
        int missing, wrong, otherReading;
        lock (_lock)
        {
            switch (check)
            {
                case EnsSignatureCheck.Missing:
                    _missing++;
                    break;
                case EnsSignatureCheck.OtherReading:
                    _otherReading++;
                    break;
                default:
                    _wrong++;
                    break;
            }

            long now = time.GetTimestamp();
            if (_lastSummary != long.MinValue && time.GetElapsedTime(_lastSummary, now) < Interval)
            {
                return;
            }

            _lastSummary = now;
            (missing, wrong, otherReading) = (_missing, _wrong, _otherReading);
            (_missing, _wrong, _otherReading) = (0, 0, 0);
        }

        if (otherReading > 0)
        {
            var other = signature.Encoding == EnsKeyEncoding.Utf8 ? EnsKeyEncoding.Base64 : EnsKeyEncoding.Utf8;
            Log.OtherReading(logger, source, otherReading, signature.Encoding, other);
        }

        if (missing + wrong > 0)
        {
            Log.Summary(logger, missing + wrong, missing, source, Interval.TotalSeconds);
        }
    }

    private static string Describe(EnsSignatureCheck check) => check switch
    {
        EnsSignatureCheck.Missing => "no signature",
        EnsSignatureCheck.Malformed => "a signature that is not base64 of 32 bytes",
        EnsSignatureCheck.OtherReading => "a signature made with one of its keys read the other way",
        _ => "a signature made with none of its keys",
    };

    private static partial class Log
    {
        [LoggerMessage(EventId = 6101, Level = LogLevel.Debug, Message = "ENS post for source {Source} answered 401: {Problem} ({Keys} keys, read as {Encoding})")]
        public static partial void Refused(ILogger logger, string source, string problem, int keys, EnsKeyEncoding encoding);

        [LoggerMessage(EventId = 6102, Level = LogLevel.Warning, Message = "{Count} ENS posts answered 401 ({Missing} without a signature), the last for source {Source}, in up to {Seconds} s: a wrong or retired signature key, or not ENS")]
        public static partial void Summary(ILogger logger, int count, int missing, string source, double seconds);

        [LoggerMessage(EventId = 6103, Level = LogLevel.Error, Message = "{Count} ENS posts for source {Source} answered 401 whose signature one of its keys makes when read as {Other}, not {Encoding}: set Relay:Callbacks:Sources:{Source}:Ens:SignatureKeyEncoding={Other}")]
        public static partial void OtherReading(ILogger logger, string source, int count, EnsKeyEncoding encoding, EnsKeyEncoding other);
    }
}
