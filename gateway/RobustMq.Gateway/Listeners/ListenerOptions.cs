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

    public bool Enabled => Port != 0;
}
