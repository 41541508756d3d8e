using Microsoft.Extensions.Options;

namespace Relay.Callbacks;

/// <summary>
/// Hides the secret token of callback URLs wherever a path is recorded: whatever follows the callback path
/// (matched without regard to case, anywhere in the path) is reported as <c>/{token}</c>, whether or not
/// the token was right.
/// </summary>
internal sealed class CallbackPathRedactor(IOptions<CallbackOptions> options)
{
    public const string Placeholder = "{token}";

    private readonly string _path = options.Value.Path;
    private readonly string _redacted = options.Value.Path + "/" + Placeholder;

    public string Redact(string path)
    {
        int at = path.IndexOf(_path, StringComparison.OrdinalIgnoreCase);
        return at >= 0 && path.Length > at + _path.Length ? string.Concat(path.AsSpan(0, at), _redacted) : path;
    }
}
