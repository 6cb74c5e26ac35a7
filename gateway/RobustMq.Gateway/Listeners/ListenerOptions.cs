namespace RobustMq.Gateway.Listeners;

/// <summary>The <c>Listeners</c> section: one entry per transport.</summary>
public sealed class ListenerOptions
{
    public const string Section = "Listeners";

    public TcpListenerOptions Tcp { get; set; } = new();
    public WebSocketListenerOptions WebSocket { get; set; } = new();
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
