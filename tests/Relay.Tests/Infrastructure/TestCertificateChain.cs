using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Relay.Infrastructure;

/// <summary>
/// A root CA, an intermediate CA and a leaf for 127.0.0.1 and localhost: the leaf and the intermediate in
/// <see cref="CertificatePath"/> (as a CA delivers them), its key in <see cref="KeyPath"/>, and the root
/// alone in <see cref="RootPath"/>, for a client that trusts only the root.
/// </summary>
internal sealed class TestCertificateChain : IDisposable
{
    private TestCertificateChain(string directory) => Directory = directory;

    public string Directory { get; }

    public string CertificatePath => Path.Combine(Directory, "tls.crt");

    public string KeyPath => Path.Combine(Directory, "tls.key");

    public string RootPath => Path.Combine(Directory, "root.crt");

    public static TestCertificateChain Create()
    {
        var chain = new TestCertificateChain(System.IO.Directory.CreateTempSubdirectory("relay-chain-").FullName);
        var now = DateTimeOffset.UtcNow;
        using var rootKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var root = Authority("CN=relay-test-root", rootKey).CreateSelfSigned(now.AddDays(-1), now.AddDays(30));

        using var intermediateKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var intermediate = Authority("CN=relay-test-intermediate", intermediateKey)
            .Create(root, now.AddDays(-1), now.AddDays(20), [1, 2, 3, 4]);

        using var leafKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var leafRequest = new CertificateRequest("CN=relay-test-leaf", leafKey, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        leafRequest.CertificateExtensions.Add(names.Build());
        leafRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, critical: true));
        leafRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        leafRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        leafRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(leafRequest.PublicKey, critical: false));
        using var intermediateWithKey = intermediate.CopyWithPrivateKey(intermediateKey);
        using var leaf = leafRequest.Create(intermediateWithKey, now.AddDays(-1), now.AddDays(10), [5, 6, 7, 8]);

        File.WriteAllText(chain.KeyPath, leafKey.ExportPkcs8PrivateKeyPem());
        File.WriteAllText(chain.CertificatePath, leaf.ExportCertificatePem() + "\n" + intermediate.ExportCertificatePem() + "\n");
        File.WriteAllText(chain.RootPath, root.ExportCertificatePem() + "\n");
        return chain;
    }

    private static CertificateRequest Authority(string name, ECDsa key)
    {
        var request = new CertificateRequest(name, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, critical: true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        return request;
    }

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
}
