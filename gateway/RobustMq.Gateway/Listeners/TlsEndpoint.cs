using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;

namespace RobustMq.Gateway.Listeners;

/// <summary>Whether a TLS listener asks clients for a certificate (<c>Listeners:Tls:ClientCertificate</c>).</summary>
public enum ClientCertificateRequirement
{
    /// <summary>Not asked for.</summary>
    None,

    /// <summary>Asked for; a client without one is let in, one with a certificate that does not verify is not.</summary>
    Optional,

    /// <summary>Asked for and required: the handshake fails without a certificate that verifies.</summary>
    Require,
}

/// <summary>Which part of a verified client certificate becomes the client's User Name (<c>…:PeerCertAsUsername</c>, EMQX's <c>peer_cert_as_username</c>).</summary>
public enum PeerCertName
{
    /// <summary>The CONNECT's User Name is kept.</summary>
    None,

    /// <summary>The subject's common name (CN).</summary>
    Cn,

    /// <summary>The whole subject distinguished name, as <c>CN=device-1, O=Example</c>.</summary>
    Dn,

    /// <summary>The first DNS name of the subject alternative name extension.</summary>
    San,
}

/// <summary>
/// What a connection's verified client certificate says: its subject, whether the listener takes the client's User
/// Name from it (<see cref="PeerCertName"/> other than none), and that name (null when the certificate has no such part:
/// the client then has no User Name, never the one its CONNECT chose).
/// </summary>
public sealed record PeerCertificate(string Subject, bool NamesUser, string? UserName);

/// <summary>
/// One TLS listener's security (MQTT over TLS, or WSS): its server certificate, TLS 1.2 and 1.3 only, and the client
/// certificates it asks for and verifies (against <c>…:CaCertificate</c>, or the system's trust store when that is
/// unset; revocation is not checked). <see cref="ReloadIfChanged"/> reads the files again when one of them changed, so
/// a renewed certificate is served to new connections without a restart; a file that does not load then keeps the
/// one in force, with a warning. Thread-safe.
/// </summary>
public sealed partial class TlsEndpoint
{
    private readonly string _certificatePath;
    private readonly string? _keyPath;
    private readonly string? _caPath;
    private readonly ILogger _logger;
    private volatile Loaded _loaded;

    /// <param name="name">The configuration section, for messages: <c>Listeners:Tls</c>, <c>Listeners:Wss</c>.</param>
    /// <param name="certificate">PEM file: the server certificate, then any intermediate certificates (and its key, when <paramref name="key"/> is null).</param>
    /// <param name="key">PEM file of the server certificate's private key, or null.</param>
    /// <param name="caCertificate">PEM file of the authorities client certificates must chain to, or null for the system's.</param>
    /// <exception cref="CryptographicException">A file does not load (start-up checks name the key first: <see cref="ListenerOptionsValidator"/>).</exception>
    public TlsEndpoint(string name, string certificate, string? key, string? caCertificate, ClientCertificateRequirement clientCertificate, PeerCertName peerCertAsUsername, ILogger logger)
    {
        Name = name;
        _certificatePath = certificate;
        _keyPath = string.IsNullOrWhiteSpace(key) ? null : key;
        _caPath = string.IsNullOrWhiteSpace(caCertificate) ? null : caCertificate;
        ClientCertificate = clientCertificate;
        PeerCertAsUsername = peerCertAsUsername;
        _logger = logger;
        _loaded = Load(Stamp());
    }

    /// <summary>The configuration section this endpoint came from.</summary>
    public string Name { get; }

    public ClientCertificateRequirement ClientCertificate { get; }

    public PeerCertName PeerCertAsUsername { get; }

    /// <summary>The server certificate served to new connections now.</summary>
    public X509Certificate2 ServerCertificate => _loaded.Server;

    /// <summary>
    /// The options of the next handshake: TLS 1.2/1.3, the certificate in force, the client certificate policy. A new
    /// object each time (Kestrel sets the ALPN list on the one it is given; a shared one would be raced on).
    /// </summary>
    public SslServerAuthenticationOptions AuthenticationOptions
    {
        get
        {
            var loaded = _loaded.Options;
            return new SslServerAuthenticationOptions
            {
                ServerCertificateContext = loaded.ServerCertificateContext,
                EnabledSslProtocols = loaded.EnabledSslProtocols,
                ClientCertificateRequired = loaded.ClientCertificateRequired,
                CertificateRevocationCheckMode = loaded.CertificateRevocationCheckMode,
                CertificateChainPolicy = loaded.CertificateChainPolicy,
                RemoteCertificateValidationCallback = loaded.RemoteCertificateValidationCallback,
            };
        }
    }

    /// <summary>
    /// Reads the files again if one changed (its size or last write time) since they were loaded; true when a new
    /// certificate is in force. A file that fails to load is logged and the one in force is kept (tried again when
    /// the files change again).
    /// </summary>
    public bool ReloadIfChanged()
    {
        var current = _loaded;
        var stamp = Stamp();
        if (stamp == current.Stamp)
        {
            return false;
        }

        try
        {
            var loaded = Load(stamp);
            _loaded = loaded;
            LogReloaded(_logger, Name, loaded.Server.Subject, loaded.Server.Thumbprint, loaded.Server.NotAfter.ToUniversalTime());
            return true;
        }
        catch (Exception ex)
        {
            // Whatever went wrong (a file half written, a key that is not the certificate's): not tried again until
            // the files change again, when the rest usually follows. Old certificates are left to the GC: handshakes
            // under way may still use them.
            _loaded = current with { Stamp = stamp };
            LogReloadFailed(_logger, ex, Name, current.Server.Thumbprint);
            return false;
        }
    }

    /// <summary>
    /// What the verified client certificate of a connection says, or null without one. Called after the handshake,
    /// which verified it (<see cref="ClientCertificateRequirement"/>).
    /// </summary>
    public PeerCertificate? PeerOf(X509Certificate? certificate)
    {
        if (certificate is null || ClientCertificate == ClientCertificateRequirement.None)
        {
            return null;
        }

        var x509 = certificate as X509Certificate2;
        var name = PeerCertAsUsername switch
        {
            PeerCertName.Cn => x509 is null ? null : CommonName(x509),
            PeerCertName.Dn => certificate.Subject,
            PeerCertName.San => x509 is null ? null : FirstDnsName(x509),
            _ => null,
        };
        return new PeerCertificate(certificate.Subject, PeerCertAsUsername != PeerCertName.None, string.IsNullOrEmpty(name) ? null : name);
    }

    /// <summary>The subject's CN attribute (OID 2.5.4.3) itself, or null: never another attribute in its place.</summary>
    private static string? CommonName(X509Certificate2 certificate)
    {
        foreach (var name in certificate.SubjectName.EnumerateRelativeDistinguishedNames())
        {
            if (name.GetSingleElementType().Value == "2.5.4.3")
            {
                return name.GetSingleElementValue();
            }
        }

        return null;
    }

    private static string? FirstDnsName(X509Certificate2 certificate)
    {
        foreach (var extension in certificate.Extensions)
        {
            if (extension is X509SubjectAlternativeNameExtension names)
            {
                foreach (var dns in names.EnumerateDnsNames())
                {
                    return dns;
                }
            }
        }

        return null;
    }

    private FileStamp Stamp() => new(StampOf(_certificatePath), _keyPath is null ? default : StampOf(_keyPath), _caPath is null ? default : StampOf(_caPath));

    private static (long Length, DateTime Written) StampOf(string path)
    {
        var file = new FileInfo(path);
        return file.Exists ? (file.Length, file.LastWriteTimeUtc) : default;
    }

    private Loaded Load(FileStamp stamp)
    {
        var server = TlsCertificates.Load(_certificatePath, _keyPath);
        var chain = new X509Certificate2Collection();
        chain.ImportFromPemFile(_certificatePath);
        var intermediates = new X509Certificate2Collection();
        foreach (var certificate in chain)
        {
            if (certificate.Thumbprint != server.Thumbprint)
            {
                intermediates.Add(certificate);
            }
        }

        X509Certificate2Collection? authorities = null;
        if (_caPath is not null)
        {
            authorities = [];
            authorities.ImportFromPemFile(_caPath);
            if (authorities.Count == 0)
            {
                throw new CryptographicException($"'{_caPath}' holds no certificate");
            }
        }

        // The chain SslStream builds for a client's certificate: anchored at the configured CAs only (or the system's),
        // the client's own intermediates as helpers, for client authentication, nothing fetched from URLs the
        // certificate names (an unauthenticated peer's), no revocation check.
        var policy = new X509ChainPolicy
        {
            RevocationMode = X509RevocationMode.NoCheck,
            DisableCertificateDownloads = true,
            VerificationTimeIgnored = false,
        };
        policy.ApplicationPolicy.Add(new Oid("1.3.6.1.5.5.7.3.2"));
        if (authorities is not null)
        {
            policy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            policy.CustomTrustStore.AddRange(authorities);
        }

        var options = new SslServerAuthenticationOptions
        {
            ServerCertificateContext = SslStreamCertificateContext.Create(server, intermediates, offline: true),
            EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            ClientCertificateRequired = ClientCertificate != ClientCertificateRequirement.None,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            CertificateChainPolicy = ClientCertificate == ClientCertificateRequirement.None ? null : policy,
            RemoteCertificateValidationCallback = ClientCertificate == ClientCertificateRequirement.None
                ? null
                : (_, certificate, _, errors) => Verify(certificate, errors),
        };
        return new Loaded(stamp, server, options);
    }

    /// <summary>
    /// Whether a client's certificate lets the handshake go on (<see cref="ClientCertificateRequirement"/>): none is
    /// enough for <c>optional</c>; one must verify against the chain policy (the configured CAs) without any error.
    /// </summary>
    private bool Verify(X509Certificate? certificate, SslPolicyErrors errors) =>
        certificate is null ? ClientCertificate == ClientCertificateRequirement.Optional : errors == SslPolicyErrors.None;

    private readonly record struct FileStamp((long, DateTime) Certificate, (long, DateTime) Key, (long, DateTime) Ca);

    private sealed record Loaded(FileStamp Stamp, X509Certificate2 Server, SslServerAuthenticationOptions Options);

    [LoggerMessage(EventId = 3101, Level = LogLevel.Information, Message = "{Listener}: certificate reloaded: {Subject}, thumbprint {Thumbprint}, valid until {NotAfter:u}")]
    private static partial void LogReloaded(ILogger logger, string listener, string subject, string thumbprint, DateTime notAfter);

    [LoggerMessage(EventId = 3102, Level = LogLevel.Warning, Message = "{Listener}: the changed certificate files do not load; certificate {Thumbprint} stays in force")]
    private static partial void LogReloadFailed(ILogger logger, Exception ex, string listener, string thumbprint);
}
