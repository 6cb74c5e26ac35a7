using System.Net;
using Microsoft.Extensions.Options;

namespace RobustMq.Gateway.Listeners;

/// <summary>Start-up checks of <c>Listeners</c>; each message names the key.</summary>
public sealed class ListenerOptionsValidator : IValidateOptions<ListenerOptions>
{
    public ValidateOptionsResult Validate(string? name, ListenerOptions options)
    {
        var errors = new List<string>();
        if (options.MaxConnections < 0)
        {
            errors.Add($"Listeners:MaxConnections must be 0 (from the open-file limit) or more (got {options.MaxConnections})");
        }

        foreach (var (key, rate) in new[]
                 {
                     ("Listeners:Tcp:MaxConnectionRate", options.Tcp.MaxConnectionRate), ("Listeners:WebSocket:MaxConnectionRate", options.WebSocket.MaxConnectionRate),
                     ("Listeners:Tls:MaxConnectionRate", options.Tls.MaxConnectionRate), ("Listeners:Wss:MaxConnectionRate", options.Wss.MaxConnectionRate),
                 })
        {
            if (rate < 0)
            {
                errors.Add($"{key} must be 0 (no limit) or more (got {rate})");
            }
        }

        if (options.CertificateReloadSeconds < 0)
        {
            errors.Add($"Listeners:CertificateReloadSeconds must be 0 (never) or more (got {options.CertificateReloadSeconds})");
        }

        if (options.Tcp.Enabled)
        {
            CheckPort(errors, "Listeners:Tcp:Port", options.Tcp.Port);
            CheckAddress(errors, "Listeners:Tcp:Address", options.Tcp.Address);
        }

        if (options.WebSocket.Enabled)
        {
            CheckPort(errors, "Listeners:WebSocket:Port", options.WebSocket.Port);
            CheckAddress(errors, "Listeners:WebSocket:Address", options.WebSocket.Address);
            if (!options.WebSocket.Path.StartsWith('/'))
            {
                errors.Add($"Listeners:WebSocket:Path must start with '/' (got '{options.WebSocket.Path}')");
            }
        }

        if (options.Tls.Enabled)
        {
            CheckPort(errors, "Listeners:Tls:Port", options.Tls.Port);
            CheckAddress(errors, "Listeners:Tls:Address", options.Tls.Address);
            CheckCertificate(errors, "Listeners:Tls", "Listeners:Tls:Certificate", options.Tls.Certificate, "Listeners:Tls:Key", options.Tls.Key);
            CheckClientCertificates(errors, "Listeners:Tls", options.Tls.ClientCertificate, options.Tls.PeerCertAsUsername, options.Tls.CaCertificate);
        }

        if (options.Wss.Enabled)
        {
            CheckPort(errors, "Listeners:Wss:Port", options.Wss.Port);
            CheckAddress(errors, "Listeners:Wss:Address", options.Wss.Address);
            if (!options.Wss.Path.StartsWith('/'))
            {
                errors.Add($"Listeners:Wss:Path must start with '/' (got '{options.Wss.Path}')");
            }

            CheckCertificate(
                errors,
                "Listeners:Wss",
                options.Wss.Certificate is null ? "Listeners:Wss:Certificate (or Listeners:Tls:Certificate)" : "Listeners:Wss:Certificate",
                options.Wss.Certificate ?? options.Tls.Certificate,
                options.Wss.Key is null && options.Tls.Key is not null ? "Listeners:Tls:Key" : "Listeners:Wss:Key",
                options.Wss.Key ?? options.Tls.Key);
            CheckClientCertificates(
                errors,
                "Listeners:Wss",
                options.Wss.ClientCertificate ?? options.Tls.ClientCertificate,
                options.Wss.PeerCertAsUsername ?? options.Tls.PeerCertAsUsername,
                options.Wss.CaCertificate ?? options.Tls.CaCertificate);
        }

        var seen = new Dictionary<int, string>();
        Distinct(errors, seen, options.Tcp.Enabled, options.Tcp.Port, "Listeners:Tcp:Port");
        Distinct(errors, seen, options.WebSocket.Enabled, options.WebSocket.Port, "Listeners:WebSocket:Port");
        Distinct(errors, seen, options.Tls.Enabled, options.Tls.Port, "Listeners:Tls:Port");
        Distinct(errors, seen, options.Wss.Enabled, options.Wss.Port, "Listeners:Wss:Port");

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    /// <summary>The client certificate settings of a TLS listener: known values, and a CA file that holds a certificate.</summary>
    private static void CheckClientCertificates(List<string> errors, string section, string? mode, string? asUserName, string? ca)
    {
        if (TlsEndpoints.TryParseMode(mode) is null)
        {
            errors.Add($"{section}:ClientCertificate must be none, optional or require (got '{mode}')");
        }

        if (TlsEndpoints.TryParseName(asUserName) is null)
        {
            errors.Add($"{section}:PeerCertAsUsername must be none, cn, dn or san (got '{asUserName}')");
        }

        if (string.IsNullOrWhiteSpace(ca))
        {
            return;
        }

        try
        {
            var authorities = new System.Security.Cryptography.X509Certificates.X509Certificate2Collection();
            authorities.ImportFromPemFile(ca);
            if (authorities.Count == 0)
            {
                errors.Add($"{section}:CaCertificate '{ca}' holds no PEM certificate");
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
        {
            errors.Add($"{section}:CaCertificate '{ca}' cannot be read: {ex.Message}");
        }
    }

    public static void CheckPort(List<string> errors, string key, int port)
    {
        if (port is < 1 or > 65535)
        {
            errors.Add($"{key} must be 1-65535 (got {port})");
        }
    }

    private static void Distinct(List<string> errors, Dictionary<int, string> seen, bool enabled, int port, string key)
    {
        if (!enabled)
        {
            return;
        }

        if (seen.TryGetValue(port, out var other))
        {
            errors.Add($"{key} must differ from {other} (both {port})");
            return;
        }

        seen[port] = key;
    }

    /// <summary>
    /// The certificate and key of a TLS listener load. Each failure names the key at fault: a missing certificate file
    /// <c>…:Certificate</c>, a certificate without a private key and no key file <c>…:Key</c>, a key file that is missing,
    /// unreadable or not the certificate's <c>…:Key</c>. <paramref name="certificateKey"/> and <paramref name="keyKey"/>
    /// are where the values came from (Wss falls back to Tls's).
    /// </summary>
    private static void CheckCertificate(List<string> errors, string section, string certificateKey, string? certificate, string keyKey, string? key)
    {
        if (string.IsNullOrWhiteSpace(certificate))
        {
            errors.Add($"{certificateKey} is required when {section}:Port is set");
            return;
        }

        if (!File.Exists(certificate))
        {
            errors.Add($"{certificateKey} '{certificate}' does not exist");
            return;
        }

        if (string.IsNullOrWhiteSpace(key))
        {
            string text;
            try
            {
                text = File.ReadAllText(certificate);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                errors.Add($"{certificateKey} '{certificate}' cannot be read: {ex.Message}");
                return;
            }

            if (!text.Contains("PRIVATE KEY-----", StringComparison.Ordinal))
            {
                errors.Add($"{keyKey} is required: {certificateKey} '{certificate}' holds no private key");
                return;
            }
        }
        else if (!File.Exists(key))
        {
            errors.Add($"{keyKey} '{key}' does not exist");
            return;
        }

        try
        {
            using var loaded = TlsCertificates.Load(certificate, key);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException or ArgumentException)
        {
            errors.Add(string.IsNullOrWhiteSpace(key)
                ? $"{certificateKey} '{certificate}' cannot be loaded: {ex.Message}"
                : $"{certificateKey} '{certificate}' with {keyKey} '{key}' cannot be loaded (is it the certificate's key?): {ex.Message}");
        }
    }

    private static void CheckAddress(List<string> errors, string key, string address)
    {
        if (!IPAddress.TryParse(address, out _))
        {
            errors.Add($"{key} must be an IP address (got '{address}')");
        }
    }
}
