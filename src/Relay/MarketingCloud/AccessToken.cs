namespace Relay.MarketingCloud;

/// <summary>A Marketing Cloud access token, where the tenant's SOAP and REST APIs are, and when to stop using it.</summary>
/// <param name="RestBase">The tenant's REST base (<c>rest_instance_url</c>), ending in '/'; null when the token's answer had none.</param>
internal sealed record AccessToken(string Value, Uri SoapEndpoint, Uri? RestBase, DateTimeOffset RenewAt)
{
    /// <summary>
    /// Used until shortly before it expires, as the SDKs do (they renew 5 minutes early); a short-lived
    /// token is renewed at half its life.
    /// </summary>
    public static DateTimeOffset RenewalTime(DateTimeOffset issuedAt, TimeSpan lifetime) =>
        issuedAt + lifetime - TimeSpan.FromTicks(Math.Min(TimeSpan.FromMinutes(5).Ticks, lifetime.Ticks / 2));
}
