namespace RobustMq.Gateway.Connections;

/// <summary>What the admin API shows of a connection (read from another thread: each value is set once at CONNECT).</summary>
public sealed partial class MqttConnection
{
    /// <summary>The CONNECT's User Name, or null when it had none (MQTT 3.1.3.5).</summary>
    public string? UserName => _userName;

    /// <summary>The Keep Alive in force, in seconds: the client's, or the Server Keep Alive that replaced it (MQTT-3.1.2-21).</summary>
    public int KeepAliveSeconds => _keepAlive.Seconds;

    /// <summary>The CONNECT's Clean Start (Clean Session in 3.1.1).</summary>
    public bool CleanStart { get; private set; }

    /// <summary>Session Expiry Interval in seconds as it stands: from CONNECT, or as changed by the DISCONNECT (MQTT-3.14.2-2).</summary>
    public uint SessionExpirySeconds => _expiryOnDisconnect ?? _sessionExpiry;

    /// <summary>When the CONNACK was queued; null before.</summary>
    public DateTimeOffset? ConnectedAt { get; private set; }
}
