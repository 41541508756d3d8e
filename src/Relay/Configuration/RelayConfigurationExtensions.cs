namespace Relay.Configuration;

internal static class RelayConfigurationExtensions
{
    /// <summary>The default configuration file, relative to the content root (the working directory).</summary>
    public const string DefaultFile = "config/relay.json";

    /// <summary>
    /// Adds <c>config/relay.json</c> under the environment variables and the command line, so that either
    /// overrides any key of the file (<c>Relay__RabbitMq__Uri</c>, <c>--Relay:RabbitMq:Uri=...</c>).
    /// </summary>
    public static ConfigurationManager AddRelayConfiguration(this ConfigurationManager configuration, string[] args)
    {
        configuration.AddJsonFile(DefaultFile, optional: true, reloadOnChange: true);
        configuration.AddEnvironmentVariables();
        configuration.AddCommandLine(args);
        return configuration;
    }
}
