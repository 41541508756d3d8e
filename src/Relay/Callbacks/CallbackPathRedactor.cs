namespace Relay.Callbacks;

/// <summary>
/// Hides the secret token of every <see cref="TokenDoor"/>'s URLs wherever a path is recorded: whatever
/// follows a door's path (matched without regard to case, anywhere in the path) is reported as
/// <c>/{token}</c>, whether or not the token was right.
/// </summary>
internal sealed class CallbackPathRedactor(IEnumerable<TokenDoor> doors)
{
    public const string Placeholder = "{token}";

    private readonly string[] _paths = [.. doors.Select(door => door.Path)];

    public string Redact(string path)
    {
        foreach (string door in _paths)
        {
            int at = path.IndexOf(door, StringComparison.OrdinalIgnoreCase);
            if (at >= 0 && path.Length > at + door.Length)
            {
                return string.Concat(path.AsSpan(0, at), door, "/", Placeholder);
            }
        }

        return path;
    }
}
