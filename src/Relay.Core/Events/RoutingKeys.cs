namespace Relay.Core.Events;

/// <summary>
/// Routing keys of published events: <c>callback.&lt;status&gt;</c>, where status is OverallStatusCode
/// lower-cased with every run of characters other than a-z and 0-9 replaced by '-'; and
/// <c>ens.&lt;category&gt;</c>, where category is the ENS event's <c>eventCategoryType</c> lower-cased
/// with every run of characters other than a-z, 0-9 and '.' replaced by '-'.
/// </summary>
public static class RoutingKeys
{
    public const string Prefix = "callback.";
    public const string Invalid = "callback.invalid";
    public const string Unknown = "callback.unknown";

    /// <summary>An expected call with no callback and no final ResultMessage (reconciliation).</summary>
    public const string Missing = "callback.missing";

    public const string EnsPrefix = "ens.";

    /// <summary>The verification ENS posts when a callback is created.</summary>
    public const string EnsVerification = "ens.verification";

    /// <summary>An ENS event whose <c>eventCategoryType</c> is missing or unusable.</summary>
    public const string EnsUnknown = "ens.unknown";

    /// <summary>
    /// <c>ens.</c> and the category lower-cased (ASCII), each run of characters other than a-z, 0-9 and '.'
    /// replaced by one '-'; <see cref="EnsUnknown"/> for none. Categories are at most 200 characters
    /// (<c>EnsBodyReader.MaxCategoryLength</c>), so the key stays under AMQP's 255 bytes.
    /// </summary>
    public static string ForEnsCategory(string? category)
    {
        if (string.IsNullOrEmpty(category))
        {
            return EnsUnknown;
        }

        var key = new System.Text.StringBuilder(EnsPrefix.Length + category.Length);
        key.Append(EnsPrefix);
        bool inRun = false;
        foreach (char c in category)
        {
            char lower = c is >= 'A' and <= 'Z' ? (char)(c + 32) : c;
            if (lower is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '.')
            {
                key.Append(lower);
                inRun = false;
            }
            else if (!inRun)
            {
                key.Append('-');
                inRun = true;
            }
        }

        return key.ToString();
    }

    /// <summary>Statuses are opaque strings; a longer one is cut so the key stays well under AMQP's 255 bytes.</summary>
    public const int MaxStatusLength = 64;

    public static string ForStatus(string? overallStatusCode)
    {
        if (string.IsNullOrEmpty(overallStatusCode))
        {
            return Unknown;
        }

        Span<char> status = stackalloc char[MaxStatusLength];
        int length = 0;
        bool pendingDash = false;
        foreach (char c in overallStatusCode)
        {
            char lower = c is >= 'A' and <= 'Z' ? (char)(c + 32) : c;
            if (lower is (>= 'a' and <= 'z') or (>= '0' and <= '9'))
            {
                // Leading and trailing runs are dropped: " OK " is "ok", not "-ok-".
                if (pendingDash && length > 0)
                {
                    if (length == MaxStatusLength)
                    {
                        break;
                    }

                    status[length++] = '-';
                }

                pendingDash = false;
                if (length == MaxStatusLength)
                {
                    break;
                }

                status[length++] = lower;
            }
            else
            {
                pendingDash = true;
            }
        }

        if (length > 0 && status[length - 1] == '-')
        {
            length--;
        }

        return length == 0 ? Unknown : string.Concat(Prefix, status[..length]);
    }
}
