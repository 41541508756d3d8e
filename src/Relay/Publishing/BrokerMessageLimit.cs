using System.Globalization;
using System.Text.RegularExpressions;
using RabbitMQ.Client.Events;

namespace Relay.Publishing;

/// <summary>
/// Reads the broker's message-size limit from the reason it gave for closing a channel:
/// <c>406 PRECONDITION_FAILED - message size 2000 is larger than configured max size 1000</c>.
/// </summary>
internal static partial class BrokerMessageLimit
{
    private const ushort PreconditionFailed = 406;

    public static bool TryRead(ShutdownEventArgs? reason, out long limit)
    {
        limit = 0;
        if (reason is not { ReplyCode: PreconditionFailed } || reason.ReplyText is null)
        {
            return false;
        }

        var match = MaxSize().Match(reason.ReplyText);
        return match.Success && long.TryParse(match.Groups[1].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out limit);
    }

    [GeneratedRegex("larger than configured max size (\\d+)")]
    private static partial Regex MaxSize();
}
