using System.Diagnostics;
using System.Net;

namespace Relay.Infrastructure;

/// <summary>
/// Relay as its own process, for tests that kill it (a SIGKILL must cost nothing that was answered 200, a
/// SIGTERM must drain before it stops) and for tests of the native build. The process is the native (AOT)
/// executable that <c>RELAY_TEST_NATIVE_BINARY</c> names, as scripts/test.sh publishes it, and otherwise
/// <c>dotnet Relay.dll</c>.
/// </summary>
internal sealed class RelayProcess : IAsyncDisposable
{
    private readonly Dictionary<string, string?> _settings;
    private readonly IReadOnlyDictionary<string, string> _environment;
    private readonly string _contentRoot;
    private readonly string _log;
    private Process? _process;

    private RelayProcess(Dictionary<string, string?> settings, IReadOnlyDictionary<string, string> environment, string contentRoot,
        TestCertificate certificate)
    {
        _settings = settings;
        _environment = environment;
        _contentRoot = contentRoot;
        Certificate = certificate;
        _log = Path.Combine(contentRoot, "relay.log");
    }

    /// <summary>The native executable the tests run, when <c>RELAY_TEST_NATIVE_BINARY</c> names one.</summary>
    public static string? NativeBinary { get; } =
        Environment.GetEnvironmentVariable("RELAY_TEST_NATIVE_BINARY") is { Length: > 0 } path ? Path.GetFullPath(path) : null;

    public TestCertificate Certificate { get; }

    public Uri PublicUri => new(_settings["Kestrel:Endpoints:Public:Url"]!);

    public Uri AdminUri => new(_settings["Kestrel:Endpoints:Admin:Url"]!);

    public string Exchange => _settings["Relay:RabbitMq:Exchange"]!;

    public string CallbackPath => PublicUri.AbsolutePath.TrimEnd('/') + "/marketing-cloud/callbacks/" + RelayServer.Token;

    public string OutboxFile => Path.Combine(_contentRoot, "data", "outbox", "outbox.db");

    /// <summary>The content root's <c>config/relay.json</c>, which Relay reloads when it changes.</summary>
    public string ConfigFile => Path.Combine(_contentRoot, "config", "relay.json");

    public int? ExitCode => _process is { HasExited: true } process ? process.ExitCode : null;

    public string Log => File.Exists(_log) ? File.ReadAllText(_log) : string.Empty;

    /// <param name="configure">Settings, passed as command-line overrides.</param>
    /// <param name="environment">Environment variables of the process, beside the test's own.</param>
    /// <param name="prepare">Called with the content root before Relay starts, to put files there.</param>
    public static async Task<RelayProcess> StartAsync(Action<Dictionary<string, string?>>? configure = null,
        IReadOnlyDictionary<string, string>? environment = null, Action<string>? prepare = null)
    {
        var relay = Create(configure, environment);
        prepare?.Invoke(relay._contentRoot);
        await relay.RestartAsync();
        return relay;
    }

    /// <summary>Starts Relay with settings it must refuse, and returns its exit code and what it logged.</summary>
    public static async Task<(int ExitCode, string Log)> StartupFailureAsync(Action<Dictionary<string, string?>> configure,
        Action<string>? prepare = null)
    {
        await using var relay = Create(configure, environment: null);
        prepare?.Invoke(relay._contentRoot);
        relay.Launch();
        int exitCode = await relay.WaitForExitAsync(TimeSpan.FromSeconds(30));
        return (exitCode, relay.Log);
    }

    private static RelayProcess Create(Action<Dictionary<string, string?>>? configure, IReadOnlyDictionary<string, string>? environment)
    {
        var certificate = TestCertificate.Create();
        var settings = RelayServer.DefaultSettings(certificate);
        settings["Logging:LogLevel:Default"] = "Information";
        configure?.Invoke(settings);
        return new RelayProcess(settings, environment ?? new Dictionary<string, string>(), Directory.CreateTempSubdirectory("relay-process-").FullName,
            certificate);
    }

    /// <summary>Starts (again) on the same ports and the same outbox, and waits until the broker is connected.</summary>
    public async Task RestartAsync(bool waitForBroker = true)
    {
        Launch();
        await WaitForReadinessAsync(waitForBroker ? "Healthy" : null, TimeSpan.FromSeconds(30));
    }

    /// <summary>The Relay executable (native, or <c>dotnet Relay.dll</c>), in this Relay's content root, its output captured.</summary>
    private ProcessStartInfo StartInfo()
    {
        var start = new ProcessStartInfo(NativeBinary ?? "dotnet")
        {
            WorkingDirectory = _contentRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        if (NativeBinary is null)
        {
            start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Relay.dll"));
        }

        return start;
    }

    private void Launch()
    {
        var start = StartInfo();

        foreach (var (name, value) in _environment)
        {
            start.Environment[name] = value;
        }

        start.ArgumentList.Add($"--contentRoot={_contentRoot}");
        foreach (var (key, value) in _settings.Where(setting => setting.Value is not null))
        {
            start.ArgumentList.Add($"--{key}={value}");
        }

        _process = Process.Start(start)!;
        var log = new StreamWriter(_log, append: true) { AutoFlush = true };
        _process.OutputDataReceived += (_, line) => { if (line.Data is not null) { lock (log) { log.WriteLine(line.Data); } } };
        _process.ErrorDataReceived += (_, line) => { if (line.Data is not null) { lock (log) { log.WriteLine(line.Data); } } };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public HttpClient CreateClient(IPAddress? from = null) => TestClients.Create(PublicUri, Certificate.Certificate, from);

    public async Task<HttpResponseMessage> PostCallbackAsync(string form)
    {
        using var client = CreateClient();
        return await client.PostAsync(CallbackPath, new StringContent(form, System.Text.Encoding.UTF8, "application/x-www-form-urlencoded"));
    }

    /// <summary>The /readyz answer: status code and body (Healthy, Degraded or Unhealthy).</summary>
    public async Task<(HttpStatusCode Status, string Body)> ReadinessAsync()
    {
        using var admin = new HttpClient { BaseAddress = AdminUri, Timeout = TimeSpan.FromSeconds(5) };
        using var response = await admin.GetAsync("/readyz");
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>Waits until /readyz answers (and, when given, with that body): "Healthy" means connected with an empty outbox.</summary>
    public async Task WaitForReadinessAsync(string? body, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                var (status, text) = await ReadinessAsync();
                if (status == HttpStatusCode.OK && (body is null || text == body))
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            if (_process!.HasExited)
            {
                throw new InvalidOperationException($"Relay exited with {_process.ExitCode}:\n{Log}");
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"/readyz did not answer {body ?? "200"} within {timeout}:\n{Log}");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>Runs a subcommand of the same executable (<c>Relay replay ...</c>) to its end, in this Relay's content root.</summary>
    public async Task<(int ExitCode, string Output, string Error)> RunCommandAsync(params string[] arguments)
    {
        var start = StartInfo();

        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var cancellation = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(cancellation.Token);
        return (process.ExitCode, await output, await error);
    }

    public void Kill() => _process!.Kill();

    public void Terminate() => Process.Start("kill", ["-TERM", _process!.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!.WaitForExit();

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancellation = new CancellationTokenSource(timeout);
        await _process!.WaitForExitAsync(cancellation.Token);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }

        _process?.Dispose();
        await TestBroker.DeleteTopologyAsync(Exchange);
        Certificate.Dispose();
        Directory.Delete(_contentRoot, recursive: true);
    }
}
