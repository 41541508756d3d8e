using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Options;
using Relay.Configuration;

namespace Relay.Tls;

/// <summary>
/// Serves the Public listener's certificate, with the intermediates its file holds, from its PEM files and
/// picks up a renewed one within a second or two of the files changing, without a restart: new handshakes
/// get the new certificate, connections already open keep theirs. The chain is built once per load, into
/// the <see cref="SslStreamCertificateContext"/> every handshake shares. Writers should write the key first and the certificate last; until both
/// match, the previous certificate stays in service. A pair that cannot be loaded is logged, never served.
/// </summary>
internal sealed partial class CertificateReloader : BackgroundService
{
    private readonly string _certificatePath;
    private readonly string? _keyPath;
    private readonly ILogger<CertificateReloader> _logger;
    private volatile SslStreamCertificateContext _current;
    private FileStamp _loaded;
    private FileStamp? _failed;

    public CertificateReloader(IOptions<PublicCertificateOptions> options, IHostEnvironment environment, ILogger<CertificateReloader> logger)
    {
        var certificate = options.Value;
        _certificatePath = Path.GetFullPath(certificate.Path
            ?? throw new RelayConfigurationException([PublicCertificateOptions.Section + ":Path: required"]), environment.ContentRootPath);
        _keyPath = certificate.KeyPath is null ? null : Path.GetFullPath(certificate.KeyPath, environment.ContentRootPath);
        _logger = logger;
        _loaded = Stamp();
        _current = Load();
        Loaded(_current);
        TlsPolicy.WarnIfDefaultCipherSuites(_logger);
    }

    /// <summary>The certificate and chain new TLS handshakes on Public are given.</summary>
    public SslStreamCertificateContext Current => _current;

    protected override Task ExecuteAsync(CancellationToken stoppingToken) => FilePolling.EveryIntervalAsync(ReloadIfChanged, stoppingToken);

    private void ReloadIfChanged()
    {
        var stamp = Stamp();
        if (stamp == _loaded || stamp == _failed)
        {
            return;
        }

        try
        {
            var renewed = Load();
            _current = renewed;
            _loaded = stamp;
            Loaded(renewed);
        }
        catch (Exception ex) when (ex is CryptographicException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            // Often a rotation half done (new key, old certificate): the next change is tried again.
            _failed = stamp;
            Log.LoadFailed(_logger, _certificatePath, ex.Message);
        }
    }

    /// <summary>The certificate's and the key's stamp: a change of either means a new pair to load.</summary>
    private FileStamp Stamp() => FileStamp.Of(_keyPath is null ? [_certificatePath] : [_certificatePath, _keyPath]);

    private SslStreamCertificateContext Load()
    {
        X509Certificate2 leaf;
        X509Certificate2Collection file;
        if (_keyPath is null)
        {
            file = X509CertificateLoader.LoadPkcs12CollectionFromFile(_certificatePath, password: null);
            leaf = file.FirstOrDefault(certificate => certificate.HasPrivateKey)
                ?? throw new CryptographicException("the certificate has no private key");
        }
        else
        {
            leaf = X509Certificate2.CreateFromPemFile(_certificatePath, _keyPath);
            file = [];
            file.ImportFromPemFile(_certificatePath);
        }

        if (!leaf.HasPrivateKey)
        {
            leaf.Dispose();
            throw new CryptographicException("the certificate has no private key");
        }

        var intermediates = new X509Certificate2Collection();
        foreach (var certificate in file)
        {
            if (certificate.Thumbprint != leaf.Thumbprint)
            {
                intermediates.Add(certificate);
            }
        }

        // Offline: the chain is what the file holds (and the system store), never fetched over the network.
        return SslStreamCertificateContext.Create(leaf, intermediates, offline: true);
    }

    private void Loaded(SslStreamCertificateContext context)
    {
        var leaf = context.TargetCertificate;
        Log.Loaded(_logger, leaf.Subject, leaf.Thumbprint, leaf.NotAfter, context.IntermediateCertificates.Count);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1101, Level = LogLevel.Information, Message = "Serving certificate {Subject} ({Thumbprint}), valid until {NotAfter:u}, with {Intermediates} intermediate certificates on Public")]
        public static partial void Loaded(ILogger logger, string subject, string thumbprint, DateTime notAfter, int intermediates);

        [LoggerMessage(EventId = 1102, Level = LogLevel.Warning, Message = "Certificate files {Path} changed but cannot be loaded ({Reason}); still serving the previous certificate")]
        public static partial void LoadFailed(ILogger logger, string path, string reason);
    }
}
