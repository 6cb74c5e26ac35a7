namespace RobustMq.Gateway.Listeners;

/// <summary>The <c>Listeners</c> section: one entry per transport.</summary>
public sealed class ListenerOptions
{
    public const string Section = "Listeners";

    /// <summary>
    /// The most client connections this node holds at once, over every listener; 0 (default): the open-file
    /// limit less the descriptors open at start-up and <see cref="Connections.ConnectionLimit.DescriptorReserve"/>.
    /// </summary>
    public int MaxConnections { get; set; }

    /// <summary>
    /// How often, in seconds, the TLS listeners look whether their certificate, key or CA files changed, and serve new
    /// connections the new ones (10 by default; 0: never, a restart is then needed).
    /// </summary>
    public int CertificateReloadSeconds { get; set; } = 10;

    public TcpListenerOptions Tcp { get; set; } = new();
    public WebSocketListenerOptions WebSocket { get; set; } = new();
    public TlsListenerOptions Tls { get; set; } = new();
    public WssListenerOptions Wss { get; set; } = new();
}

/// <summary><c>Listeners:Tcp</c>: MQTT over TCP.</summary>
public sealed class TcpListenerOptions
{
    public const string DefaultAddress = "0.0.0.0";
    public const int DefaultPort = 1883;

    public bool Enabled { get; set; } = true;
    public string Address { get; set; } = DefaultAddress;
    public int Port { get; set; } = DefaultPort;

    /// <summary>New connections a second this listener takes on (a second's worth at once; EMQX's <c>max_conn_rate</c>); the rest wait. 0 (default): no limit.</summary>
    public int MaxConnectionRate { get; set; }
}

/// <summary><c>Listeners:WebSocket</c>: MQTT over WebSocket.</summary>
public sealed class WebSocketListenerOptions
{
    public const string DefaultAddress = "0.0.0.0";
    public const int DefaultPort = 8083;
    public const string DefaultPath = "/mqtt";

    public bool Enabled { get; set; } = true;
    public string Address { get; set; } = DefaultAddress;
    public int Port { get; set; } = DefaultPort;
    public string Path { get; set; } = DefaultPath;

    /// <summary>New connections a second this listener takes on (a second's worth at once; EMQX's <c>max_conn_rate</c>); the rest wait. 0 (default): no limit.</summary>
    public int MaxConnectionRate { get; set; }
}

/// <summary><c>Listeners:Tls</c>: MQTT over TLS; off while <see cref="Port"/> is 0 (8883 is usual).</summary>
public sealed class TlsListenerOptions
{
    public const string DefaultAddress = "0.0.0.0";

    public string Address { get; set; } = DefaultAddress;
    public int Port { get; set; }

    /// <summary>PEM certificate (chain) file.</summary>
    public string? Certificate { get; set; }

    /// <summary>PEM private key file; may be omitted when the certificate file holds the key.</summary>
    public string? Key { get; set; }

    /// <summary>PEM file of the certificate authorities client certificates must chain to; unset: the system's trust store.</summary>
    public string? CaCertificate { get; set; }

    /// <summary>Whether clients are asked for a certificate: <c>none</c> (default), <c>optional</c> or <c>require</c> (<see cref="ClientCertificateRequirement"/>).</summary>
    public string ClientCertificate { get; set; } = "none";

    /// <summary>Which part of a client's certificate replaces the CONNECT's User Name: <c>none</c> (default), <c>cn</c>, <c>dn</c> or <c>san</c> (<see cref="PeerCertName"/>).</summary>
    public string PeerCertAsUsername { get; set; } = "none";

    /// <summary>New connections a second this listener takes on (a second's worth at once; EMQX's <c>max_conn_rate</c>); the rest wait. 0 (default): no limit.</summary>
    public int MaxConnectionRate { get; set; }

    public bool Enabled => Port != 0;
}

/// <summary><c>Listeners:Wss</c>: MQTT over secure WebSocket; off while <see cref="Port"/> is 0 (8084 is usual). Certificate and key default to <c>Listeners:Tls</c>'s.</summary>
public sealed class WssListenerOptions
{
    public const string DefaultAddress = "0.0.0.0";
    public const string DefaultPath = "/mqtt";

    public string Address { get; set; } = DefaultAddress;
    public int Port { get; set; }
    public string Path { get; set; } = DefaultPath;
    public string? Certificate { get; set; }
    public string? Key { get; set; }

    /// <summary>As <see cref="TlsListenerOptions.CaCertificate"/>; unset: <c>Listeners:Tls</c>'s.</summary>
    public string? CaCertificate { get; set; }

    /// <summary>As <see cref="TlsListenerOptions.ClientCertificate"/>; unset: <c>Listeners:Tls</c>'s.</summary>
    public string? ClientCertificate { get; set; }

    /// <summary>As <see cref="TlsListenerOptions.PeerCertAsUsername"/>; unset: <c>Listeners:Tls</c>'s.</summary>
    public string? PeerCertAsUsername { get; set; }

    /// <summary>New connections a second this listener takes on (a second's worth at once; EMQX's <c>max_conn_rate</c>); the rest wait. 0 (default): no limit.</summary>
    public int MaxConnectionRate { get; set; }

    public bool Enabled => Port != 0;
}
