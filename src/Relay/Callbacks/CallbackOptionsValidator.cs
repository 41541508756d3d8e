using Microsoft.Extensions.Options;
using Relay.Configuration;

namespace Relay.Callbacks;

internal sealed class CallbackOptionsValidator(IConfiguration configuration) : IValidateOptions<CallbackOptions>
{
    private const long MaxBodyCeiling = 1L << 30;

    public ValidateOptionsResult Validate(string? name, CallbackOptions options)
    {
        var errors = new ValidationErrors();
        errors.AddUnknownKeys(configuration, CallbackOptions.Section, typeof(CallbackOptions));
        const string section = CallbackOptions.Section;

        string path = options.Path ?? string.Empty;
        if (!path.StartsWith('/') || path.Length < 2 || path.EndsWith('/') || path.Contains("//", StringComparison.Ordinal)
            || path.IndexOfAny(['{', '}', '?', '#', '*', '%', ' ']) >= 0)
        {
            errors.Add($"{section}:Path", $"'{path}' must be a literal absolute path such as /marketing-cloud/callbacks (no trailing '/', no '{{', '?', '#', '*', '%')");
        }

        if (string.IsNullOrWhiteSpace(options.Source) || !Uri.TryCreate(options.Source, UriKind.RelativeOrAbsolute, out _))
        {
            errors.Add($"{section}:Source", $"'{options.Source}' is not a URI reference");
        }

        if (options.MaxBodyBytes is < 1024 or > MaxBodyCeiling)
        {
            errors.Add($"{section}:MaxBodyBytes", $"{options.MaxBodyBytes} is not between 1024 and {MaxBodyCeiling}");
        }

        if (options.ResultDetailMaxCharacters < 1)
        {
            errors.Add($"{section}:ResultDetailMaxCharacters", "must be positive");
        }

        if (options.ResultDetailMaxDepth is < 2 or > 256)
        {
            errors.Add($"{section}:ResultDetailMaxDepth", $"{options.ResultDetailMaxDepth} is not between 2 and 256");
        }

        return errors.ToResult();
    }
}
