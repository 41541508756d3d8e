using Microsoft.Extensions.Options;
using Relay.Configuration;

namespace Relay.Edge;

internal sealed class ListenersOptionsValidator(IConfiguration configuration, IHostEnvironment environment)
    : IValidateOptions<ListenersOptions>
{
    public ValidateOptionsResult Validate(string? name, ListenersOptions options)
    {
        var errors = new ValidationErrors();
        const string section = ListenersOptions.Section;

        foreach (var endpoint in configuration.GetSection(section).GetChildren())
        {
            if (!Enum.TryParse<RelayListener>(endpoint.Key, ignoreCase: true, out _))
            {
                errors.Add($"{section}:{endpoint.Key}", "unknown endpoint; Relay serves exactly two, Public and Admin");
            }
        }

        ValidateUrl(errors, $"{section}:Public:Url", options.Public?.Url, requireHttps: true);
        ValidateUrl(errors, $"{section}:Admin:Url", options.Admin?.Url, requireHttps: false);

        var certificate = options.Public?.Certificate;
        if (certificate?.Path is null)
        {
            errors.Add($"{section}:Public:Certificate:Path", "required: the PEM certificate of the public HTTPS endpoint");
        }
        else if (!File.Exists(Resolve(certificate.Path)))
        {
            errors.Add($"{section}:Public:Certificate:Path", $"file '{certificate.Path}' does not exist");
        }

        if (certificate?.KeyPath is not null && !File.Exists(Resolve(certificate.KeyPath)))
        {
            errors.Add($"{section}:Public:Certificate:KeyPath", $"file '{certificate.KeyPath}' does not exist");
        }

        return errors.ToResult();
    }

    private string Resolve(string path) => Path.GetFullPath(path, environment.ContentRootPath);

    private static void ValidateUrl(ValidationErrors errors, string key, string? url, bool requireHttps)
    {
        if (string.IsNullOrWhiteSpace(url))
        {
            errors.Add(key, "required");
            return;
        }

        // Kestrel accepts wildcard hosts ('*', '+') that Uri does not; only the scheme matters here.
        int schemeEnd = url.IndexOf("://", StringComparison.Ordinal);
        string scheme = schemeEnd < 0 ? string.Empty : url[..schemeEnd];
        if (requireHttps && !scheme.Equals("https", StringComparison.OrdinalIgnoreCase))
        {
            errors.Add(key, $"'{url}' must be an https:// URL: Marketing Cloud only posts callbacks over HTTPS");
        }
        else if (!scheme.Equals("https", StringComparison.OrdinalIgnoreCase) && !scheme.Equals("http", StringComparison.OrdinalIgnoreCase))
        {
            errors.Add(key, $"'{url}' is not an http:// or https:// URL");
        }
    }
}
