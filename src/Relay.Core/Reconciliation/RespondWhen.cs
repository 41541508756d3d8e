namespace Relay.Core.Reconciliation;

/// <summary>Marketing Cloud's RespondWhen names (its WSDL, and <c>OnExpired</c> of the newer docs).</summary>
public static class RespondWhen
{
    private static readonly string[] Names =
        ["Never", "OnError", "Always", "OnConversationError", "OnConversationComplete", "OnCallComplete", "OnExpired"];

    /// <summary>The canonical spelling of <paramref name="value"/>, matched without regard to case; null if unknown.</summary>
    public static string? Canonical(string value) =>
        Array.Find(Names, name => name.Equals(value, StringComparison.OrdinalIgnoreCase));
}
