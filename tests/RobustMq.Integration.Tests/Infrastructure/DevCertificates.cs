using System.Security.Cryptography.X509Certificates;

namespace RobustMq.Integration.Tests.Infrastructure;

/// <summary>
/// The certificates <c>deploy/dev-certs.sh</c> writes (as an operator makes them): a CA, the broker's pair for
/// 127.0.0.1 and localhost, and a client pair; in a temp folder deleted on dispose.
/// </summary>
public sealed class DevCertificates : IDisposable
{
    private DevCertificates(string folder) => Folder = folder;

    public string Folder { get; }

    public string CaCertificate => Path.Combine(Folder, "ca.crt");

    public string ServerCertificate => Path.Combine(Folder, "server.crt");

    public string ServerKey => Path.Combine(Folder, "server.key");

    public string ClientCertificate => Path.Combine(Folder, "client.crt");

    public string ClientKey => Path.Combine(Folder, "client.key");

    /// <summary>Runs <c>deploy/dev-certs.sh</c> into a new temp folder, the client's CN <paramref name="clientName"/>.</summary>
    public static async Task<DevCertificates> CreateAsync(string clientName = "device-1")
    {
        var folder = Directory.CreateTempSubdirectory("robustmq-dev-certs-").FullName;
        using var script = CliProcess.Start("/bin/bash", Path.Combine(RepositoryRoot(), "deploy", "dev-certs.sh"), folder, clientName);
        var code = await script.WaitForExitAsync("deploy/dev-certs.sh");
        Assert.True(code == 0, $"deploy/dev-certs.sh exited with {code}");
        return new DevCertificates(folder);
    }

    /// <summary>The client pair, loaded for an MQTTnet or SslStream client.</summary>
    public X509Certificate2 LoadClient()
    {
        using var pem = X509Certificate2.CreateFromPemFile(ClientCertificate, ClientKey);
        // Re-imported: an ephemeral PEM key cannot be used by SslStream on every platform.
        return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
    }

    /// <summary>The checkout's root: the folder above the test binaries that holds the solution.</summary>
    public static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "RobustMq.Orleans.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException($"no RobustMq.Orleans.sln above {AppContext.BaseDirectory}");
    }

    public void Dispose() => Directory.Delete(Folder, recursive: true);
}
