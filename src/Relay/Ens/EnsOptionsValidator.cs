using Microsoft.Extensions.Options;
using Relay.Callbacks;
using Relay.Configuration;

namespace Relay.Ens;

internal sealed class EnsOptionsValidator(IConfiguration configuration, IOptions<CallbackOptions> callbacks)
    : SectionValidator<EnsOptions>(configuration, EnsOptions.Section)
{
    protected override void Check(EnsOptions options, ValidationErrors errors)
    {
        string path = options.Path ?? string.Empty;
        string callbackPath = callbacks.Value.Path ?? string.Empty;
        if (!path.StartsWith('/') || path.Length < 2 || path.EndsWith('/') || path.Contains("//", StringComparison.Ordinal)
            || path.IndexOfAny(['{', '}', '?', '#', '*', '%', ' ']) >= 0)
        {
            errors.Add(Key("Path"), $"'{path}' must be a literal absolute path such as /marketing-cloud/ens (no trailing '/', no '{{', '?', '#', '*', '%')");
        }
        else if (path.Contains(callbackPath, StringComparison.OrdinalIgnoreCase) || callbackPath.Contains(path, StringComparison.OrdinalIgnoreCase))
        {
            errors.Add(Key("Path"), $"'{path}' and {CallbackOptions.Section}:Path ('{callbackPath}') must not hold one another: each URL's last segment is a token");
        }

        errors.AddUnlessBetween(Key("RequestTimeout"), options.RequestTimeout, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(5));
    }
}
