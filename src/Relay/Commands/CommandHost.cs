using Relay.Configuration;

namespace Relay.Commands;

/// <summary>
/// The services of a subcommand: Relay's configuration as the server reads it (<c>config/relay.json</c>,
/// environment variables, the overrides), its logging settings with every line on standard error (standard
/// output is the command's own), and only the options the command registers, validated before it runs.
/// </summary>
internal static class CommandHost
{
    public static IHost Build(string[] overrides, Action<IServiceCollection> services)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            DisableDefaults = true,
            ContentRootPath = ConfigurationOverrides.ContentRoot(overrides),
        });
        builder.AddRelayConfiguration(overrides);
        builder.Logging.AddConfiguration(builder.Configuration.GetSection("Logging"));
        builder.Logging.AddConsole(console => console.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Services.AddSingleton(TimeProvider.System);
        services(builder.Services);

        var host = builder.Build();
        StartupValidationExtensions.Validate(host.Services);
        return host;
    }
}
