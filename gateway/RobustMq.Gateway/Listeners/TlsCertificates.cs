using System.Security.Cryptography.X509Certificates;

namespace RobustMq.Gateway.Listeners;

/// <summary>Loads a listener's certificate from PEM files (certificate, and key when separate).</summary>
public static class TlsCertificates
{
    public static X509Certificate2 Load(string certificate, string? key)
    {
        if (!File.Exists(certificate))
        {
            throw new FileNotFoundException($"file not found", certificate);
        }

        using var pem = string.IsNullOrWhiteSpace(key)
            ? X509Certificate2.CreateFromPemFile(certificate)
            : X509Certificate2.CreateFromPemFile(certificate, key);

        // Export and re-import: an ephemeral PEM key cannot be used by SslStream on every platform.
        return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
    }
}
