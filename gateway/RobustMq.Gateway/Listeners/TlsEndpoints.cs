using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace RobustMq.Gateway.Listeners;

/// <summary>
/// The node's TLS listeners (<see cref="Tls"/>: MQTT over TLS, <see cref="Wss"/>: secure WebSocket; null when off),
/// and their certificate reload: every <c>Listeners:CertificateReloadSeconds</c> (0: never) each one reads its files
/// again if they changed (<see cref="TlsEndpoint.ReloadIfChanged"/>).
/// </summary>
public sealed class TlsEndpoints(IOptions<ListenerOptions> options, TimeProvider clock, ILoggerFactory loggers) : IHostedService, IDisposable
{
    private readonly Lazy<(TlsEndpoint? Tls, TlsEndpoint? Wss)> _endpoints = new(() => Build(options.Value, loggers.CreateLogger("RobustMq.Gateway.Listeners.Tls")));
    private ITimer? _timer;

    /// <summary>MQTT over TLS (<c>Listeners:Tls</c>), or null when that listener is off.</summary>
    public TlsEndpoint? Tls => _endpoints.Value.Tls;

    /// <summary>MQTT over secure WebSocket (<c>Listeners:Wss</c>, falling back to <c>Listeners:Tls</c>'s files and client certificate settings), or null.</summary>
    public TlsEndpoint? Wss => _endpoints.Value.Wss;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var seconds = options.Value.CertificateReloadSeconds;
        if (seconds > 0 && (Tls is not null || Wss is not null))
        {
            var period = TimeSpan.FromSeconds(seconds);
            _timer = clock.CreateTimer(_ => ReloadOnTimer(), null, period, period);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _timer?.Dispose();
        return Task.CompletedTask;
    }

    public void Dispose() => _timer?.Dispose();

    /// <summary>Has each endpoint read its files again if they changed.</summary>
    public void ReloadIfChanged()
    {
        Tls?.ReloadIfChanged();
        Wss?.ReloadIfChanged();
    }

    private void ReloadOnTimer()
    {
        try
        {
            ReloadIfChanged();
        }
        catch (Exception ex)
        {
            // A timer callback that throws would end the process; TlsEndpoint logs its own load failures.
            loggers.CreateLogger("RobustMq.Gateway.Listeners.Tls").LogWarning(ex, "TLS certificate reload failed; the certificates in force stay");
        }
    }

    private static (TlsEndpoint?, TlsEndpoint?) Build(ListenerOptions options, ILogger logger)
    {
        var tls = options.Tls;
        var wss = options.Wss;
        return (
            tls.Enabled
                ? new TlsEndpoint("Listeners:Tls", tls.Certificate!, tls.Key, tls.CaCertificate, ParseMode(tls.ClientCertificate), ParseName(tls.PeerCertAsUsername), logger)
                : null,
            wss.Enabled
                ? new TlsEndpoint(
                    "Listeners:Wss",
                    wss.Certificate ?? tls.Certificate!,
                    wss.Key ?? tls.Key,
                    wss.CaCertificate ?? tls.CaCertificate,
                    ParseMode(wss.ClientCertificate ?? tls.ClientCertificate),
                    ParseName(wss.PeerCertAsUsername ?? tls.PeerCertAsUsername),
                    logger)
                : null);
    }

    /// <summary><c>none</c>, <c>optional</c> or <c>require</c> (any case), or null when it is none of them.</summary>
    public static ClientCertificateRequirement? TryParseMode(string? value) => value?.ToLowerInvariant() switch
    {
        "none" => ClientCertificateRequirement.None,
        "optional" => ClientCertificateRequirement.Optional,
        "require" => ClientCertificateRequirement.Require,
        _ => null,
    };

    /// <summary><c>none</c>, <c>cn</c>, <c>dn</c> or <c>san</c> (any case), or null when it is none of them.</summary>
    public static PeerCertName? TryParseName(string? value) => value?.ToLowerInvariant() switch
    {
        "none" => PeerCertName.None,
        "cn" => PeerCertName.Cn,
        "dn" => PeerCertName.Dn,
        "san" => PeerCertName.San,
        _ => null,
    };

    private static ClientCertificateRequirement ParseMode(string value) =>
        TryParseMode(value) ?? throw new InvalidOperationException($"ClientCertificate '{value}' is not none, optional or require");

    private static PeerCertName ParseName(string value) =>
        TryParseName(value) ?? throw new InvalidOperationException($"PeerCertAsUsername '{value}' is not none, cn, dn or san");
}
