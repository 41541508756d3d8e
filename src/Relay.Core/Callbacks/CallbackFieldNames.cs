using System.Text;

namespace Relay.Core.Callbacks;

/// <summary>Maps form field names (as Marketing Cloud spells them, matched without regard to case) to fields.</summary>
internal static class CallbackFieldNames
{
    private static readonly (byte[] Name, CallbackField Field)[] Names =
    [
        ("RequestID"u8.ToArray(), CallbackField.RequestId),
        ("ConversationID"u8.ToArray(), CallbackField.ConversationId),
        ("OverallStatusCode"u8.ToArray(), CallbackField.OverallStatusCode),
        ("StatusCode"u8.ToArray(), CallbackField.StatusCode),
        ("StatusMessage"u8.ToArray(), CallbackField.StatusMessage),
        ("ErrorCode"u8.ToArray(), CallbackField.ErrorCode),
        ("RequestType"u8.ToArray(), CallbackField.RequestType),
        ("ResultType"u8.ToArray(), CallbackField.ResultType),
        ("ResultDetailXML"u8.ToArray(), CallbackField.ResultDetailXml),
        ("SequenceCode"u8.ToArray(), CallbackField.SequenceCode),
    ];

    public const int Count = 10;

    /// <summary>Finds the field for an already percent-decoded name.</summary>
    public static bool TryGet(ReadOnlySpan<byte> decodedName, out CallbackField field)
    {
        foreach (var (name, candidate) in Names)
        {
            if (Ascii.EqualsIgnoreCase(decodedName, name))
            {
                field = candidate;
                return true;
            }
        }

        field = default;
        return false;
    }

    public static string NameOf(CallbackField field) => Encoding.ASCII.GetString(Names[(int)field].Name);
}
