using Relay.Configuration;

namespace Relay.Archive;

internal static class ArchiveExtensions
{
    public static IServiceCollection AddRelayArchive(this IServiceCollection services)
    {
        services.AddValidatedOptions<ArchiveOptions, ArchiveOptionsValidator>().BindConfiguration(ArchiveOptions.Section);
        return services;
    }
}
