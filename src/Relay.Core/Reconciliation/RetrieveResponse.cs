namespace Relay.Core.Reconciliation;

/// <summary>One page of a SOAP Retrieve's answer, or the fault it was answered with.</summary>
/// <param name="OverallStatus"><c>OK</c>, <c>MoreDataAvailable</c> or <c>Error: …</c>; null for a fault.</param>
/// <param name="RequestId">This retrieve's own RequestID, which a <c>ContinueRequest</c> names.</param>
/// <param name="Results">The ResultMessages of this page.</param>
/// <param name="Fault">The fault's <c>faultstring</c>, when the answer is a <c>soap:Fault</c>.</param>
public sealed record RetrieveResponse(string? OverallStatus, string? RequestId, IReadOnlyList<ResultMessage> Results, string? Fault)
{
    public bool HasMore => string.Equals(OverallStatus, "MoreDataAvailable", StringComparison.OrdinalIgnoreCase);

    public bool IsOk => string.Equals(OverallStatus, "OK", StringComparison.OrdinalIgnoreCase) || HasMore;

    /// <summary>Marketing Cloud's answer to an expired or refused token: fetch a new one.</summary>
    public bool IsLoginFailed => Fault is { } fault && fault.Contains("Login Failed", StringComparison.OrdinalIgnoreCase)
        || OverallStatus is { } status && status.Contains("Login Failed", StringComparison.OrdinalIgnoreCase);
}
