using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace RobustMq.Integration.Tests.Infrastructure;

/// <summary>A self-signed certificate for localhost in PEM files (certificate, key) in a temporary folder, deleted on dispose.</summary>
public sealed class TemporaryCertificate : IDisposable
{
    private readonly string _folder;

    private TemporaryCertificate(string folder, string certificatePath, string keyPath)
    {
        _folder = folder;
        CertificatePath = certificatePath;
        KeyPath = keyPath;
    }

    public string CertificatePath { get; }

    public string KeyPath { get; }

    public static TemporaryCertificate Create()
    {
        var folder = Directory.CreateTempSubdirectory("robustmq-cert-").FullName;
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        var certificatePath = Path.Combine(folder, "server.crt");
        var keyPath = Path.Combine(folder, "server.key");
        File.WriteAllText(certificatePath, certificate.ExportCertificatePem());
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
        return new TemporaryCertificate(folder, certificatePath, keyPath);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
