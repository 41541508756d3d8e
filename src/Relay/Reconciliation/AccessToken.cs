namespace Relay.Reconciliation;

/// <summary>A Marketing Cloud access token, where its SOAP API is, and when to stop using it.</summary>
internal sealed record AccessToken(string Value, Uri SoapEndpoint, DateTimeOffset RenewAt)
{
    /// <summary>
    /// Used until shortly before it expires, as the SDKs do (they renew 5 minutes early); a short-lived
    /// token is renewed at half its life.
    /// </summary>
    public static DateTimeOffset RenewalTime(DateTimeOffset issuedAt, TimeSpan lifetime) =>
        issuedAt + lifetime - TimeSpan.FromTicks(Math.Min(TimeSpan.FromMinutes(5).Ticks, lifetime.Ticks / 2));
}
