using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Options;

namespace Relay.Configuration;

internal static class RelayConfigurationExtensions
{
    /// <summary>The default configuration file, relative to the content root (the working directory).</summary>
    public const string DefaultFile = "config/relay.json";

    /// <summary>
    /// Adds <c>config/relay.json</c> under the environment variables and the command line, so that either
    /// overrides any key of the file (<c>Relay__RabbitMq__Uri</c>, <c>--Relay:RabbitMq:Uri=...</c>), reloaded
    /// within seconds of a change however it is mounted, and refuses to start on a section under <c>Relay</c>
    /// that nothing reads.
    /// </summary>
    public static TBuilder AddRelayConfiguration<TBuilder>(this TBuilder builder, string[] args)
        where TBuilder : IHostApplicationBuilder
    {
        try
        {
            builder.Configuration.AddJsonFile(PollingFiles(builder.Environment.ContentRootPath), DefaultFile, optional: true, reloadOnChange: true);
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

    /// <summary>
    /// The content root's files, watched by polling (every 4 s) rather than by a file system watcher: the
    /// watcher misses a Kubernetes ConfigMap update, which swaps a <c>..data</c> link and never touches the
    /// link Relay opens; polling compares the time of the file the link leads to. Held for the process's life.
    /// </summary>
    private static PhysicalFileProvider PollingFiles(string contentRoot) =>
        new(contentRoot) { UsePollingFileWatcher = true, UseActivePolling = true };

    private static Exception Innermost(Exception exception) => exception.InnerException is { } inner ? Innermost(inner) : exception;
}
