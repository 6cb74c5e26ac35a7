namespace RobustMq.Abstractions.Sessions;

/// <summary>How a connection ended, which decides the will (MQTT-3.1.2-8, 3.14.4).</summary>
public enum DisconnectKind : byte
{
    /// <summary>DISCONNECT with reason 0x00: the will is discarded.</summary>
    Normal = 0,
    /// <summary>DISCONNECT with any other reason (0x04 Disconnect with Will Message, or an error): the will is published.</summary>
    NormalWithWill = 1,
    /// <summary>Network loss, keep-alive timeout, protocol error, server close: the will is published.</summary>
    Abnormal = 2,
    /// <summary>Another connection took the session over: the will is published.</summary>
    TakenOver = 3,
}
