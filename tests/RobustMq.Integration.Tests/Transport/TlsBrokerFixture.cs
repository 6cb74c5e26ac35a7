using RobustMq.Integration.Tests.Infrastructure;

namespace RobustMq.Integration.Tests.Transport;

/// <summary>A broker with TLS and WSS listeners on a self-signed certificate made for the run (PEM files in a temp folder).</summary>
public sealed class TlsBrokerFixture : BrokerFixture
{
    private readonly TestCertificate _certificate = new();

    public int TlsPort { get; } = FreePorts.Next();
    public int WssPort { get; } = FreePorts.Next();
    public string CertificatePath => _certificate.CertificatePath;
    public string KeyPath => _certificate.KeyPath;

    protected override IEnumerable<string> ExtraArguments =>
    [
        "--Listeners:Tls:Address=127.0.0.1", $"--Listeners:Tls:Port={TlsPort}",
        $"--Listeners:Tls:Certificate={CertificatePath}", $"--Listeners:Tls:Key={KeyPath}",
        "--Listeners:Wss:Address=127.0.0.1", $"--Listeners:Wss:Port={WssPort}",
    ];

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        _certificate.Dispose();
    }
}
