using Relay.Configuration;
using Relay.Core.Ens;
using Relay.MarketingCloud;

namespace Relay.Callbacks;

internal sealed class CallbackOptionsValidator(IConfiguration configuration)
    : SectionValidator<CallbackOptions>(configuration, CallbackOptions.Section)
{
    private const long MaxBodyCeiling = 1L << 30;
    private const long MaxBufferedCeiling = 1L << 40;

    protected override void Check(CallbackOptions options, ValidationErrors errors)
    {
        string path = options.Path ?? string.Empty;
        if (!path.StartsWith('/') || path.Length < 2 || path.EndsWith('/') || path.Contains("//", StringComparison.Ordinal)
            || path.IndexOfAny(['{', '}', '?', '#', '*', '%', ' ']) >= 0)
        {
            errors.Add(Key("Path"), $"'{path}' must be a literal absolute path such as /marketing-cloud/callbacks (no trailing '/', no '{{', '?', '#', '*', '%')");
        }

        if (string.IsNullOrWhiteSpace(options.Source) || !Uri.TryCreate(options.Source, UriKind.RelativeOrAbsolute, out _))
        {
            errors.Add(Key("Source"), $"'{options.Source}' is not a URI reference");
        }

        errors.AddUnlessBetween(Key("MaxBodyBytes"), options.MaxBodyBytes, 1024, MaxBodyCeiling);
        if (options.MaxBufferedBytes < options.MaxBodyBytes || options.MaxBufferedBytes > MaxBufferedCeiling)
        {
            errors.Add(Key("MaxBufferedBytes"),
                $"{options.MaxBufferedBytes} is not between {Key("MaxBodyBytes")} ({options.MaxBodyBytes}: the largest body must fit) and {MaxBufferedCeiling}");
        }

        errors.AddUnlessPositive(Key("ResultDetailMaxCharacters"), options.ResultDetailMaxCharacters);
        errors.AddUnlessBetween(Key("ResultDetailMaxDepth"), options.ResultDetailMaxDepth, 2, 256);
        errors.AddUnlessBetween(Key("BodyTimeout"), options.BodyTimeout, TimeSpan.FromSeconds(1), TimeSpan.FromHours(1));
        ValidateSources(errors, options);
    }

    private void ValidateCredentials(ValidationErrors errors, string key, MarketingCloudCredentials credentials)
    {
        errors.AddUnknownKeys(Configuration, key, typeof(MarketingCloudCredentials));
        if (!credentials.IsConfigured)
        {
            return;
        }

        if (!Uri.TryCreate(credentials.AuthBaseUri, UriKind.Absolute, out var uri) || !MarketingCloudCredentials.IsAllowed(uri)
            || !string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment) || !string.IsNullOrEmpty(uri.UserInfo))
        {
            errors.Add($"{key}:AuthBaseUri", $"'{credentials.AuthBaseUri}' is not an https:// URI such as https://<subdomain>.auth.marketingcloudapis.com/ (http:// only to a loopback address)");
        }

        if (string.IsNullOrWhiteSpace(credentials.ClientId))
        {
            errors.Add($"{key}:ClientId", "is required with the other MarketingCloud settings");
        }

        // Described, never echoed.
        if (string.IsNullOrWhiteSpace(credentials.ClientSecret))
        {
            errors.Add($"{key}:ClientSecret", "is required with the other MarketingCloud settings");
        }

        if (credentials.AccountId.Length > 0 && !credentials.AccountId.All(char.IsAsciiDigit))
        {
            errors.Add($"{key}:AccountId", $"'{credentials.AccountId}' is not a MID (digits only)");
        }
    }

    private void ValidateEns(ValidationErrors errors, string key, EnsSourceOptions ens)
    {
        errors.AddUnknownKeys(Configuration, key, typeof(EnsSourceOptions));
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < ens.SignatureKeys.Count; i++)
        {
            // Described, never echoed.
            string signatureKey = ens.SignatureKeys[i] ?? string.Empty;
            if (signatureKey.Trim().Length < 16)
            {
                errors.Add($"{key}:SignatureKeys:{i}", $"too short ({signatureKey.Length} characters): a signature key is the one ens-callbacks returned");
            }
            else if (EnsSignature.KeyBytes(signatureKey, ens.SignatureKeyEncoding) is null)
            {
                errors.Add($"{key}:SignatureKeys:{i}", $"is not base64, as {key}:SignatureKeyEncoding=Base64 requires");
            }
            else if (!seen.Add(signatureKey))
            {
                errors.Add($"{key}:SignatureKeys:{i}", "the same key is configured twice");
            }
        }
    }

    private void ValidateSources(ValidationErrors errors, CallbackOptions options)
    {
        string section = Key("Sources");
        if (options.Sources.Count == 0 && !options.AllowTokenless)
        {
            errors.Add(section, "no source is configured, so no callback URL would be accepted; configure " +
                $"{section}:<name>:Tokens, or for development only set {Key("AllowTokenless")}=true");
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, source) in options.Sources)
        {
            string key = $"{section}:{name}";
            errors.AddUnknownKeys(Configuration, key, typeof(CallbackSourceOptions));
            if (!CallbackSources.IsValidName(name))
            {
                errors.Add(key, "a source name is 1 to 63 letters, digits, '.', '_' or '-', starting with a letter or digit");
            }

            ValidateCredentials(errors, $"{key}:MarketingCloud", source.MarketingCloud);
            ValidateEns(errors, $"{key}:Ens", source.Ens);
            if (source.Tokens.Count == 0)
            {
                errors.Add($"{key}:Tokens", "at least one token is required");
            }

            // Messages describe tokens without ever echoing them.
            for (int i = 0; i < source.Tokens.Count; i++)
            {
                string token = source.Tokens[i] ?? string.Empty;
                if (token.Length < CallbackSources.MinTokenLength)
                {
                    errors.Add($"{key}:Tokens:{i}", $"too short ({token.Length} characters; at least {CallbackSources.MinTokenLength}, e.g. 'openssl rand -hex 32')");
                }
                else if (!CallbackSources.IsValidToken(token))
                {
                    errors.Add($"{key}:Tokens:{i}", "only letters, digits, '-' and '_' are allowed, so the URL needs no encoding");
                }
                else if (!seen.Add(token))
                {
                    errors.Add($"{key}:Tokens:{i}", "the same token is configured twice; each token names one source");
                }
            }
        }
    }
}
