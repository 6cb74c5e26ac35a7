namespace RobustMq.Abstractions.Sessions;

/// <summary>Which sessions can be kept in storage.</summary>
public static class SessionLimits
{
    /// <summary>
    /// The longest client id (UTF-8 bytes) whose session can be stored: its records are keyed by it (a storage key holds
    /// at most 65,532 bytes). Longer ids get clean sessions only (MQTT-3.1.3-5 asks servers to allow 1-23 bytes and lets
    /// them refuse more: CONNACK 0x85, 3.1.1 return code 0x02).
    /// </summary>
    public const int MaxStoredClientIdBytes = 60_000;

    /// <summary>Whether <paramref name="clientId"/> is short enough for its session to be stored (<see cref="MaxStoredClientIdBytes"/>).</summary>
    public static bool CanStore(string clientId)
    {
        ArgumentNullException.ThrowIfNull(clientId);
        return clientId.Length <= MaxStoredClientIdBytes / 3 || System.Text.Encoding.UTF8.GetByteCount(clientId) <= MaxStoredClientIdBytes;
    }
}
