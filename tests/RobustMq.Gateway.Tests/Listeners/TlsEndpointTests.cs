using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging.Abstractions;
using RobustMq.Gateway.Listeners;

namespace RobustMq.Gateway.Tests.Listeners;

public sealed class TlsEndpointTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("robustmq-tls-endpoint-").FullName;

    private string CertificatePath => Path.Combine(_folder, "server.crt");

    private string KeyPath => Path.Combine(_folder, "server.key");

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>Writes a new self-signed pair over the files; returns its thumbprint.</summary>
    private string WritePair(string name)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        File.WriteAllText(KeyPath, key.ExportPkcs8PrivateKeyPem());
        File.WriteAllText(CertificatePath, certificate.ExportCertificatePem());
        // Stamps are size and write time: make a rewrite within the file system's clock tick visible.
        File.SetLastWriteTimeUtc(CertificatePath, DateTime.UtcNow.AddSeconds(Random.Shared.Next(1, 1000)));
        return certificate.Thumbprint;
    }

    private TlsEndpoint Endpoint(ClientCertificateRequirement mode = ClientCertificateRequirement.None) =>
        new("Listeners:Tls", CertificatePath, KeyPath, caCertificate: null, mode, PeerCertName.None, NullLogger.Instance);

    [Fact]
    public void Only_TLS_1_2_and_1_3_are_offered()
    {
        WritePair("a");

        var options = Endpoint().AuthenticationOptions;

        Assert.Equal(SslProtocols.Tls12 | SslProtocols.Tls13, options.EnabledSslProtocols);
        Assert.False(options.ClientCertificateRequired);
        Assert.True(Endpoint(ClientCertificateRequirement.Optional).AuthenticationOptions.ClientCertificateRequired);
    }

    [Fact]
    public void Unchanged_files_are_not_read_again_and_changed_ones_are()
    {
        var first = WritePair("first");
        var endpoint = Endpoint();
        Assert.False(endpoint.ReloadIfChanged());

        var second = WritePair("second");

        Assert.True(endpoint.ReloadIfChanged());
        Assert.Equal(second, endpoint.ServerCertificate.Thumbprint);
        Assert.NotEqual(first, second);
    }

    [Fact]
    public void A_changed_file_that_does_not_load_keeps_the_certificate_in_force_until_it_changes_again()
    {
        var first = WritePair("first");
        var endpoint = Endpoint();

        File.WriteAllText(CertificatePath, "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n");
        Assert.False(endpoint.ReloadIfChanged());
        Assert.Equal(first, endpoint.ServerCertificate.Thumbprint);
        Assert.False(endpoint.ReloadIfChanged());

        var fixedPair = WritePair("fixed");
        Assert.True(endpoint.ReloadIfChanged());
        Assert.Equal(fixedPair, endpoint.ServerCertificate.Thumbprint);
    }

    [Theory]
    [InlineData("cn", "device-7")]
    [InlineData("dn", "CN=device-7, O=Example")]
    [InlineData("san", "device-7.example")]
    [InlineData("none", null)]
    public void The_user_name_comes_from_the_part_of_the_certificate_configured(string part, string? expected)
    {
        WritePair("server");
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=device-7, O=Example", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("device-7.example");
        request.CertificateExtensions.Add(names.Build());
        using var client = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        var endpoint = new TlsEndpoint("Listeners:Tls", CertificatePath, KeyPath, null, ClientCertificateRequirement.Optional, TlsEndpoints.TryParseName(part)!.Value, NullLogger.Instance);

        var peer = endpoint.PeerOf(client);

        Assert.Equal("CN=device-7, O=Example", peer!.Subject);
        Assert.Equal(expected, peer.UserName);
        Assert.Equal(part != "none", peer.NamesUser);
        Assert.Null(endpoint.PeerOf(null));
    }

    [Fact]
    public void A_certificate_without_a_CN_gives_no_user_name_rather_than_another_attribute()
    {
        WritePair("server");
        using var key = RSA.Create(2048);
        using var client = new CertificateRequest("OU=Fleet, O=Example", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            .CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        var endpoint = new TlsEndpoint("Listeners:Tls", CertificatePath, KeyPath, null, ClientCertificateRequirement.Require, PeerCertName.Cn, NullLogger.Instance);

        var peer = endpoint.PeerOf(client);

        Assert.True(peer!.NamesUser);
        Assert.Null(peer.UserName);
    }

    [Fact]
    public void Each_handshake_gets_its_own_options_object()
    {
        WritePair("server");
        var endpoint = Endpoint(ClientCertificateRequirement.Require);

        var first = endpoint.AuthenticationOptions;
        var second = endpoint.AuthenticationOptions;

        Assert.NotSame(first, second);
        Assert.Same(first.ServerCertificateContext, second.ServerCertificateContext);
        Assert.True(first.CertificateChainPolicy!.DisableCertificateDownloads);
    }
}
