using Microsoft.Extensions.Options;

namespace Relay.Configuration;

/// <summary>Collects every configuration error, each naming its key, before start-up fails on them.</summary>
internal sealed class ValidationErrors
{
    private readonly List<string> _errors = [];

    public void Add(string key, string problem) => _errors.Add($"{key}: {problem}");

    public ValidateOptionsResult ToResult() =>
        _errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(_errors);
}
