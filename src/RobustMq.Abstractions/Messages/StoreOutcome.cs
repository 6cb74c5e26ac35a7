namespace RobustMq.Abstractions.Messages;

/// <summary>Whether a message the broker must keep (a retained message) was stored.</summary>
public enum StoreOutcome : byte
{
    Stored = 0,

    /// <summary>The store is full (disk, quota): MQTT 5 acknowledges with 0x97 Quota exceeded.</summary>
    Full = 1,

    /// <summary>The store failed otherwise (I/O error, database down): MQTT 5 acknowledges with 0x80 Unspecified error.</summary>
    Unavailable = 2,
}
