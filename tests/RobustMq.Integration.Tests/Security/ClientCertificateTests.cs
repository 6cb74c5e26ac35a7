using System.Globalization;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using MQTTnet;
using MQTTnet.Formatter;
using RobustMq.Integration.Tests.Infrastructure;

namespace RobustMq.Integration.Tests.Security;

/// <summary>
/// A broker on <c>deploy/dev-certs.sh</c>'s certificates that lets in only clients with a client certificate (source
/// <c>cert</c>, anonymous off), the certificate's CN as their User Name: TLS requires one, WSS asks for one.
/// Certificates are looked at again every second.
/// </summary>
public sealed class ClientCertificateBrokerFixture : BrokerFixture
{
    public DevCertificates Certificates { get; private set; } = null!;

    public int TlsPort { get; } = FreePorts.Next();

    public int WssPort { get; } = FreePorts.Next();

    protected override IEnumerable<string> ExtraArguments =>
    [
        "--Listeners:Tls:Address=127.0.0.1", $"--Listeners:Tls:Port={TlsPort}",
        $"--Listeners:Tls:Certificate={Certificates.ServerCertificate}", $"--Listeners:Tls:Key={Certificates.ServerKey}",
        $"--Listeners:Tls:CaCertificate={Certificates.CaCertificate}", "--Listeners:Tls:ClientCertificate=require",
        "--Listeners:Tls:PeerCertAsUsername=cn",
        "--Listeners:Wss:Address=127.0.0.1", $"--Listeners:Wss:Port={WssPort}", "--Listeners:Wss:ClientCertificate=optional",
        "--Listeners:CertificateReloadSeconds=1",
        "--Auth:AllowAnonymous=false", "--Auth:Sources:0=cert",
    ];

    public override async Task InitializeAsync()
    {
        Certificates = await DevCertificates.CreateAsync("device-1");
        await base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        Certificates.Dispose();
    }
}

/// <summary>Client certificates (issue 13): required, optional, as the User Name, and the server certificate reloaded without a restart.</summary>
[Trait("Topology", "SingleNode")]
public sealed class ClientCertificateTests(ClientCertificateBrokerFixture broker) : IClassFixture<ClientCertificateBrokerFixture>
{
    private MqttClientOptions TlsOptions(string clientId, X509Certificate2? certificate, SslProtocols protocols = SslProtocols.None)
    {
        var trusted = new X509Certificate2Collection();
        trusted.ImportFromPemFile(broker.Certificates.CaCertificate);
        return new MqttClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", broker.TlsPort)
            .WithTlsOptions(o =>
            {
                o.UseTls().WithTrustChain(trusted).WithTargetHost("localhost").WithSslProtocols(protocols);
                if (certificate is not null)
                {
                    o.WithClientCertificates([certificate]);
                }
            })
            .WithClientId(clientId)
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithTimeout(TimeSpan.FromSeconds(10))
            .Build();
    }

    private async Task<string?> UserNameOfAsync(string clientId)
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{broker.AdminPort}"), Timeout = TimeSpan.FromSeconds(10) };
        using var clients = JsonDocument.Parse(await http.GetStringAsync("/api/clients"));
        return clients.RootElement.EnumerateArray().Single(c => c.GetProperty("clientId").GetString() == clientId).GetProperty("userName").GetString();
    }

    [Fact]
    public async Task A_client_with_a_certificate_of_the_CA_is_let_in_under_its_common_name()
    {
        using var certificate = broker.Certificates.LoadClient();
        using var client = Mqtt.NewClient();

        var result = await client.ConnectAsync(TlsOptions("cert-device", certificate));

        Assert.Equal(MqttClientConnectResultCode.Success, result.ResultCode);
        Assert.Equal("device-1", await UserNameOfAsync("cert-device"));
    }

    [Fact]
    public async Task TLS_1_2_is_served_and_1_3_is_the_default()
    {
        using var certificate = broker.Certificates.LoadClient();
        foreach (var (protocols, expected) in new[] { (SslProtocols.Tls12, SslProtocols.Tls12), (SslProtocols.None, SslProtocols.Tls13) })
        {
            using var tcp = new TcpClient();
            await tcp.ConnectAsync("127.0.0.1", broker.TlsPort);
            await using var tls = new SslStream(tcp.GetStream());
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = "localhost",
                EnabledSslProtocols = protocols,
                ClientCertificates = [certificate],
                RemoteCertificateValidationCallback = (_, _, _, _) => true,
            });
            Assert.Equal(expected, tls.SslProtocol);
        }
    }

    [Fact]
    public async Task Without_a_certificate_the_required_handshake_fails()
    {
        using var client = Mqtt.NewClient();

        await Assert.ThrowsAnyAsync<Exception>(() => client.ConnectAsync(TlsOptions("no-cert", certificate: null)));
        Assert.False(client.IsConnected);
    }

    [Fact]
    public async Task A_certificate_of_another_CA_is_refused()
    {
        using var other = await DevCertificates.CreateAsync("intruder");
        using var certificate = other.LoadClient();
        using var client = Mqtt.NewClient();

        await Assert.ThrowsAnyAsync<Exception>(() => client.ConnectAsync(TlsOptions("other-ca", certificate)));
        Assert.False(client.IsConnected);
    }

    [Fact]
    public async Task Over_WSS_the_certificate_is_optional_and_only_a_client_with_one_gets_in()
    {
        using var certificate = broker.Certificates.LoadClient();
        foreach (var (clientId, withCertificate, expected) in new[]
                 {
                     ("wss-with-cert", true, MqttClientConnectResultCode.Success),
                     ("wss-no-cert", false, MqttClientConnectResultCode.NotAuthorized),
                 })
        {
            using var client = Mqtt.NewClient();
            var options = new MqttClientOptionsBuilder()
                .WithWebSocketServer(o => o.WithUri($"wss://127.0.0.1:{broker.WssPort}/mqtt"))
                .WithTlsOptions(o =>
                {
                    o.UseTls().WithCertificateValidationHandler(_ => true);
                    if (withCertificate)
                    {
                        o.WithClientCertificates([certificate]);
                    }
                })
                .WithClientId(clientId)
                .WithTimeout(TimeSpan.FromSeconds(10))
                .Build();

            var result = await client.ConnectAsync(options);

            Assert.Equal(expected, result.ResultCode);
        }
    }

    [Fact]
    public async Task Mosquitto_clients_publish_with_a_client_certificate_and_fail_without()
    {
        var port = broker.TlsPort.ToString(CultureInfo.InvariantCulture);
        var certificates = broker.Certificates;
        using var sub = CliProcess.Start("/usr/bin/stdbuf", "-oL", "/usr/bin/mosquitto_sub", "-h", "localhost", "-p", port,
            "--cafile", certificates.CaCertificate, "--cert", certificates.ClientCertificate, "--key", certificates.ClientKey,
            "-t", "security/cert/cli", "-q", "1", "-C", "1", "-W", "20", "-i", "cert-cli-sub", "-d");
        await Mosquitto.WaitSubscribedAsync(sub, "mosquitto_sub with a client certificate");

        using (var refused = CliProcess.Start("/usr/bin/mosquitto_pub", "-h", "localhost", "-p", port, "--cafile", certificates.CaCertificate,
            "-t", "security/cert/cli", "-q", "1", "-m", "no certificate", "-i", "cert-cli-none"))
        {
            Assert.NotEqual(0, await refused.WaitForExitAsync("mosquitto_pub without a client certificate"));
        }

        using var pub = CliProcess.Start("/usr/bin/mosquitto_pub", "-h", "localhost", "-p", port, "--cafile", certificates.CaCertificate,
            "--cert", certificates.ClientCertificate, "--key", certificates.ClientKey, "-t", "security/cert/cli", "-q", "1", "-m", "certified", "-i", "cert-cli-pub");
        Assert.Equal(0, await pub.WaitForExitAsync("mosquitto_pub with a client certificate"));
        await sub.WaitForLineAsync(l => l == "certified", "mosquitto_sub waits for the message");
    }

    [Fact]
    public async Task A_renewed_server_certificate_is_served_to_new_connections_without_a_restart()
    {
        // Same CA (its key signs the new pair): clients keep trusting the broker across the renewal.
        using var certificate = broker.Certificates.LoadClient();
        var before = await ServerThumbprintAsync(certificate);
        var renewed = Path.Combine(broker.Certificates.Folder, "renewed");
        Directory.CreateDirectory(renewed);
        using (var openssl = CliProcess.Start("/bin/bash", "-c",
            $"cd '{renewed}' && openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj /CN=localhost 2>/dev/null"
            + $" && printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\\nextendedKeyUsage=serverAuth\\n' > ext"
            + $" && openssl x509 -req -in server.csr -CA ../ca.crt -CAkey ../ca.key -CAcreateserial -CAserial ca.srl -days 30 -sha256 -extfile ext -out server.crt 2>/dev/null"))
        {
            Assert.Equal(0, await openssl.WaitForExitAsync("openssl renews the server certificate"));
        }

        // Key first, then the certificate, as a renewal tool writes them.
        File.Copy(Path.Combine(renewed, "server.key"), broker.Certificates.ServerKey, overwrite: true);
        File.Copy(Path.Combine(renewed, "server.crt"), broker.Certificates.ServerCertificate, overwrite: true);
        using var expected = X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(renewed, "server.crt")));

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        var now = before;
        while (now != expected.Thumbprint && DateTime.UtcNow < deadline)
        {
            await Task.Delay(250);
            now = await ServerThumbprintAsync(certificate);
        }

        Assert.NotEqual(before, expected.Thumbprint);
        Assert.Equal(expected.Thumbprint, now);
        using var client = Mqtt.NewClient();
        Assert.Equal(MqttClientConnectResultCode.Success, (await client.ConnectAsync(TlsOptions("after-renewal", certificate))).ResultCode);
    }

    private async Task<string> ServerThumbprintAsync(X509Certificate2 clientCertificate)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", broker.TlsPort);
        await using var tls = new SslStream(tcp.GetStream());
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "localhost",
            ClientCertificates = [clientCertificate],
            RemoteCertificateValidationCallback = (_, _, _, _) => true,
        });
        return tls.RemoteCertificate!.GetCertHashString();
    }
}
