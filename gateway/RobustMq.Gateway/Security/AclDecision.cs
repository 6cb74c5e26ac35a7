namespace RobustMq.Gateway.Security;

/// <summary>
/// Outcome of an ACL check. <see cref="ReasonCode"/> is 0x00 when allowed, otherwise the MQTT 5 reason code the
/// PUBACK/PUBREC or SUBACK should carry (0x87 Not authorized unless the rule names another).
/// </summary>
public readonly record struct AclDecision(bool Allowed, byte ReasonCode)
{
    /// <summary>0x87 Not authorized.</summary>
    public const byte NotAuthorized = 0x87;

    /// <summary>An allowed decision.</summary>
    public static AclDecision Allow => new(true, 0x00);

    /// <summary>A denied decision carrying <paramref name="reasonCode"/>.</summary>
    public static AclDecision Deny(byte reasonCode = NotAuthorized) => new(false, reasonCode);
}
