using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Options;

namespace Relay.Configuration;

/// <summary>
/// The validator of one configuration section, as every section is checked: a key no property binds is an
/// error (a misspelt key would otherwise be ignored and its default used), then <see cref="Check"/> adds
/// the section's own rules. Validators check the settings' shape only; what has to be read or reached to be
/// known (a file's lines, a broker) is the business of whatever reads it.
/// </summary>
internal abstract class SectionValidator<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties)] TOptions>(
    IConfiguration configuration, string section) : IValidateOptions<TOptions>
    where TOptions : class
{
    protected IConfiguration Configuration => configuration;

    public ValidateOptionsResult Validate(string? name, TOptions options)
    {
        var errors = new ValidationErrors();
        errors.AddUnknownKeys(configuration, section, typeof(TOptions));
        Check(options, errors);
        return errors.ToResult();
    }

    /// <summary>The full key of a setting of the section: <c>Relay:Section:Name</c>.</summary>
    protected string Key(string name) => $"{section}:{name}";

    /// <summary>The section's own rules; each failure is added under the key it is about.</summary>
    protected abstract void Check(TOptions options, ValidationErrors errors);
}
