using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using Relay.Configuration;

namespace Relay.Edge;

/// <summary>
/// The allowlist in force, kept current: list files are checked every second and reloaded when they
/// change, and the configuration's own networks when the configuration reloads. A list that fails to
/// load, or comes out empty, is never applied: the previous one stays in force and an error is logged,
/// so a bad edit can neither open the door nor close it on Marketing Cloud. A reloaded configuration is
/// bound and validated here, not through an options monitor, whose value throws once the configuration
/// holds a bad value (and took the host down from this loop). At start there is no previous list: a file
/// that cannot be read, a bad line or lists that allow nothing stop Relay with a configuration error.
/// </summary>
internal sealed partial class AllowlistProvider : BackgroundService
{
    private readonly IConfiguration _configuration;
    private readonly IValidateOptions<AllowlistOptions>[] _validators;
    private readonly IDisposable _configurationChanges;
    private volatile AllowlistOptions _settings;
    private readonly string _contentRoot;
    private readonly ILogger<AllowlistProvider> _logger;
    private readonly EdgeMetrics _metrics;
    private readonly Lock _reloading = new();
    private volatile Snapshot _current;
    private FileStamp _stamp;

    public AllowlistProvider(IOptions<AllowlistOptions> options, IConfiguration configuration, IEnumerable<IValidateOptions<AllowlistOptions>> validators,
        IHostEnvironment environment, EdgeMetrics metrics, ILogger<AllowlistProvider> logger)
    {
        _configuration = configuration;
        _validators = [.. validators];
        _contentRoot = environment.ContentRootPath;
        _logger = logger;
        var settings = _settings = options.Value;
        _stamp = Stamp(settings);
        var problems = new List<(string Key, string Problem)>();
        _current = new Snapshot(AllowlistLoader.LoadActive(settings, _contentRoot, problems),
            AllowlistLoader.LoadShadow(settings, _contentRoot, problems), settings.AllowAll);
        if (problems.Count == 0 && _current.Active.Networks.Count == 0 && !settings.AllowAll)
        {
            problems.Add((AllowlistOptions.Section + ":Files", "the files hold no network, so every request would be refused"));
        }

        if (problems.Count > 0)
        {
            // The settings' shape was validated already; this is the one reading of the files at start.
            throw new RelayConfigurationException([.. problems.Select(problem => $"{problem.Key}: {problem.Problem}")]);
        }

        _metrics = metrics;
        _configurationChanges = ChangeToken.OnChange(configuration.GetReloadToken, () => Reload("configuration changed", rebind: true));

        if (settings.AllowAll)
        {
            Log.AllowAll(_logger);
        }

        Log.InForce(_logger, _current.Active.Networks.Count, _current.Shadow?.Networks.Count ?? 0);
    }

    /// <summary>What decides now.</summary>
    public Snapshot Current => _current;

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // At start, once the telemetry listens (it starts first).
        _metrics.Initialize();
        return PollAsync(stoppingToken);
    }

    private Task PollAsync(CancellationToken stoppingToken) => FilePolling.EveryIntervalAsync(() =>
    {
        if (Stamp(_settings) != Volatile.Read(ref _stamp))
        {
            Reload("a list file changed", rebind: false);
        }
    }, stoppingToken);

    public override void Dispose()
    {
        _configurationChanges.Dispose();
        base.Dispose();
    }

    /// <summary>From the polling loop and from configuration changes, one at a time; never throws.</summary>
    private void Reload(string why, bool rebind)
    {
        lock (_reloading)
        {
            try
            {
                ReloadUnsynchronized(why, rebind);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // Whatever went wrong, the list in force stays, and the next change is tried again.
                Log.ReloadFailed(_logger, why, ex);
                _metrics.AllowlistReloaded(applied: false);
            }
        }
    }

    private void ReloadUnsynchronized(string why, bool rebind)
    {
        var settings = _settings;
        if (rebind)
        {
            settings = new AllowlistOptions();
            _configuration.GetSection(AllowlistOptions.Section).Bind(settings);
            var failures = _validators.Select(validator => validator.Validate(Options.DefaultName, settings))
                .Where(result => result.Failed)
                .SelectMany(result => result.Failures ?? [])
                .ToList();
            if (failures.Count > 0)
            {
                // Every setting of the section stays as it was, networks and files alike.
                Log.ConfigurationRejected(_logger, failures.Count, failures[0]);
                _metrics.AllowlistReloaded(applied: false);
                return;
            }
        }

        var stamp = Stamp(settings);
        var errors = new List<(string Key, string Problem)>();
        var active = AllowlistLoader.LoadActive(settings, _contentRoot, errors);
        var shadow = AllowlistLoader.LoadShadow(settings, _contentRoot, errors);
        _stamp = stamp;

        if (errors.Count > 0 || (active.Networks.Count == 0 && !settings.AllowAll))
        {
            string problem = errors.Count > 0 ? $"{errors[0].Key}: {errors[0].Problem}" : "the new list allows nothing";
            Log.Rejected(_logger, why, errors.Count, problem);
            _metrics.AllowlistReloaded(applied: false);
            return;
        }

        _settings = settings;
        _current = new Snapshot(active, shadow, settings.AllowAll);
        _metrics.AllowlistReloaded(applied: true);
        Log.Reloaded(_logger, why, active.Networks.Count, shadow?.Networks.Count ?? 0);
    }

    /// <summary>The list files' stamp: any change means a reload.</summary>
    private FileStamp Stamp(AllowlistOptions settings) =>
        FileStamp.Of(settings.Files.Concat(settings.Shadow.Files).Select(file => Path.GetFullPath(file, _contentRoot)));

    /// <summary>The lists in force together: the one that decides, and the shadow one, if any.</summary>
    internal sealed record Snapshot(Allowlist Active, Allowlist? Shadow, bool AllowAll);

    private static partial class Log
    {
        [LoggerMessage(EventId = 1201, Level = LogLevel.Information, Message = "Allowlist in force: {Networks} networks; shadow list: {ShadowNetworks} networks")]
        public static partial void InForce(ILogger logger, int networks, int shadowNetworks);

        [LoggerMessage(EventId = 1202, Level = LogLevel.Information, Message = "Allowlist reloaded ({Why}): {Networks} networks; shadow list: {ShadowNetworks} networks")]
        public static partial void Reloaded(ILogger logger, string why, int networks, int shadowNetworks);

        [LoggerMessage(EventId = 1203, Level = LogLevel.Error, Message = "Allowlist reload rejected ({Why}): {Count} errors, first {Problem}; the previous list stays in force")]
        public static partial void Rejected(ILogger logger, string why, int count, string problem);

        [LoggerMessage(EventId = 1205, Level = LogLevel.Error, Message = "Configuration reload rejected: {Count} errors in Relay:Allowlist, first {Problem}; every previous setting stays in force")]
        public static partial void ConfigurationRejected(ILogger logger, int count, string problem);

        [LoggerMessage(EventId = 1206, Level = LogLevel.Error, Message = "Allowlist reload failed ({Why}); the previous list stays in force")]
        public static partial void ReloadFailed(ILogger logger, string why, Exception exception);

        [LoggerMessage(EventId = 1204, Level = LogLevel.Warning, Message = "Relay:Allowlist:AllowAll is on: every address may reach the Public listener. For development only.")]
        public static partial void AllowAll(ILogger logger);
    }
}
