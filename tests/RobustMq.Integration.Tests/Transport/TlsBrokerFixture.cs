using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using RobustMq.Integration.Tests.Infrastructure;

namespace RobustMq.Integration.Tests.Transport;

/// <summary>A broker with TLS and WSS listeners on a self-signed certificate made for the run (PEM files in a temp folder).</summary>
public sealed class TlsBrokerFixture : BrokerFixture
{
    private readonly string _folder = Directory.CreateTempSubdirectory("robustmq-tls-").FullName;

    public TlsBrokerFixture()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(System.Net.IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        // Self-signed and used as its own trust anchor (mosquitto's --cafile): mark it as a CA, as openssl does.
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        CertificatePath = Path.Combine(_folder, "server.crt");
        KeyPath = Path.Combine(_folder, "server.key");
        File.WriteAllText(CertificatePath, certificate.ExportCertificatePem());
        File.WriteAllText(KeyPath, key.ExportPkcs8PrivateKeyPem());
    }

    public int TlsPort { get; } = FreePorts.Next();
    public int WssPort { get; } = FreePorts.Next();
    public string CertificatePath { get; }
    public string KeyPath { get; }

    protected override IEnumerable<string> ExtraArguments =>
    [
        "--Listeners:Tls:Address=127.0.0.1", $"--Listeners:Tls:Port={TlsPort}",
        $"--Listeners:Tls:Certificate={CertificatePath}", $"--Listeners:Tls:Key={KeyPath}",
        "--Listeners:Wss:Address=127.0.0.1", $"--Listeners:Wss:Port={WssPort}",
    ];

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }
}
