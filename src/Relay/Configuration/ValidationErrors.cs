using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using Microsoft.Extensions.Options;

namespace Relay.Configuration;

/// <summary>Collects every configuration error, each naming its key, before start-up fails on them.</summary>
internal sealed class ValidationErrors
{
    private readonly List<string> _errors = [];

    public void Add(string key, string problem) => _errors.Add($"{key}: {problem}");

    public void AddAll(IEnumerable<(string Key, string Problem)> problems)
    {
        foreach (var (key, problem) in problems)
        {
            Add(key, problem);
        }
    }

    /// <summary>
    /// Reports keys of <paramref name="section"/> that no property of <paramref name="optionsType"/> binds:
    /// a misspelt key would otherwise be ignored silently and its default used.
    /// </summary>
    public void AddUnknownKeys(IConfiguration configuration, string section,
        [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties)] Type optionsType)
    {
        var known = optionsType.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(property => property.CanWrite)
            .Select(property => property.Name)
            .ToHashSet(StringComparer.OrdinalIgnoreCase);
        AddUnknownKeys(configuration, section, known);
    }

    public void AddUnknownKeys(IConfiguration configuration, string section, IReadOnlySet<string> known)
    {
        foreach (var child in configuration.GetSection(section).GetChildren())
        {
            if (!known.Contains(child.Key))
            {
                Add($"{section}:{child.Key}", $"unknown key; known keys are {string.Join(", ", known.Order(StringComparer.Ordinal))}");
            }
        }
    }

    /// <summary>Adds "<paramref name="key"/>: VALUE is not between MIN and MAX" unless the value is (bounds included).</summary>
    public void AddUnlessBetween(string key, TimeSpan value, TimeSpan min, TimeSpan max)
    {
        if (value < min || value > max)
        {
            Add(key, $"{value} is not between {min} and {max}");
        }
    }

    /// <inheritdoc cref="AddUnlessBetween(string, TimeSpan, TimeSpan, TimeSpan)"/>
    public void AddUnlessBetween(string key, long value, long min, long max)
    {
        if (value < min || value > max)
        {
            Add(key, $"{value} is not between {min} and {max}");
        }
    }

    public void AddUnlessPositive(string key, long value)
    {
        if (value < 1)
        {
            Add(key, "must be positive");
        }
    }

    public void AddIfBlank(string key, string? value, string problem = "required")
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            Add(key, problem);
        }
    }

    public ValidateOptionsResult ToResult() =>
        _errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(_errors);
}
