using Microsoft.Extensions.Options;

namespace Relay.Configuration;

internal static class StartupValidationExtensions
{
    /// <summary>
    /// Validates every option registered with ValidateOnStart now, before the pipeline is built from them,
    /// so that all bad keys are reported together rather than the first one a component happens to read.
    /// </summary>
    public static WebApplication ValidateRelayConfiguration(this WebApplication app)
    {
        Validate(app.Services);
        return app;
    }

    /// <summary>Runs every start-up validation of <paramref name="services"/>; a failure is a <see cref="RelayConfigurationException"/>.</summary>
    public static void Validate(IServiceProvider services)
    {
        try
        {
            services.GetService<IStartupValidator>()?.Validate();
        }
        catch (Exception ex) when (ex is OptionsValidationException or AggregateException)
        {
            throw new RelayConfigurationException([.. Failures(ex)], ex);
        }
    }

    /// <summary>The messages of a failed validation, one per bad key, for the operator.</summary>
    private static IEnumerable<string> Failures(Exception exception) => exception switch
    {
        OptionsValidationException validation => validation.Failures,
        AggregateException aggregate => aggregate.InnerExceptions.SelectMany(Failures),
        _ => [exception.Message],
    };
}
