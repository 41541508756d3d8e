using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Relay.Configuration;

internal static class RelayConfigurationExtensions
{
    /// <summary>The default configuration file, relative to the content root (the working directory).</summary>
    public const string DefaultFile = "config/relay.json";

    /// <summary>
    /// Adds <c>config/relay.json</c> under the environment variables and the command line, so that either
    /// overrides any key of the file (<c>Relay__RabbitMq__Uri</c>, <c>--Relay:RabbitMq:Uri=...</c>), and
    /// refuses to start on a section under <c>Relay</c> that nothing reads.
    /// </summary>
    public static TBuilder AddRelayConfiguration<TBuilder>(this TBuilder builder, string[] args)
        where TBuilder : IHostApplicationBuilder
    {
        try
        {
            builder.Configuration.AddJsonFile(DefaultFile, optional: true, reloadOnChange: true);
        }
        catch (InvalidDataException ex)
        {
            // The file is read as it is added: broken JSON is a configuration error like a bad key, exit 2.
            throw new RelayConfigurationException([$"{DefaultFile}: not valid JSON ({Innermost(ex).Message})"], ex);
        }

        builder.Configuration.AddEnvironmentVariables();
        builder.Configuration.AddCommandLine(args);

        builder.Services.AddOptions<RelaySectionOptions>().ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RelaySectionOptions>, RelaySectionOptionsValidator>());
        return builder;
    }

    private static Exception Innermost(Exception exception) => exception.InnerException is { } inner ? Innermost(inner) : exception;
}
