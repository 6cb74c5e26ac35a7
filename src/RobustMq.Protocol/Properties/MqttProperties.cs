namespace RobustMq.Protocol.Properties;

/// <summary>
/// The MQTT 5 properties of a packet. Every property is optional (null when absent). Which ones a
/// packet may carry is checked by the decoder (a property not allowed for a packet is a protocol error).
/// </summary>
public sealed class MqttProperties
{
    public byte? PayloadFormatIndicator { get; set; }
    public uint? MessageExpiryInterval { get; set; }
    public string? ContentType { get; set; }
    public string? ResponseTopic { get; set; }
    /// <summary>
    /// Null when absent; an empty memory when present with no bytes. Never assign a <c>byte[]?</c> directly: C#
    /// converts a null array to an empty memory, which makes an absent Correlation Data present (and written).
    /// </summary>
    public ReadOnlyMemory<byte>? CorrelationData { get; set; }
    /// <summary>One in SUBSCRIBE; one per matching subscription in an outgoing PUBLISH.</summary>
    public List<uint>? SubscriptionIdentifiers { get; set; }
    public uint? SessionExpiryInterval { get; set; }
    public string? AssignedClientIdentifier { get; set; }
    public ushort? ServerKeepAlive { get; set; }
    public string? AuthenticationMethod { get; set; }
    /// <summary>Null when absent; an empty memory when present with no bytes (see <see cref="CorrelationData"/>).</summary>
    public ReadOnlyMemory<byte>? AuthenticationData { get; set; }
    public byte? RequestProblemInformation { get; set; }
    public uint? WillDelayInterval { get; set; }
    public byte? RequestResponseInformation { get; set; }
    public string? ResponseInformation { get; set; }
    public string? ServerReference { get; set; }
    public string? ReasonString { get; set; }
    public ushort? ReceiveMaximum { get; set; }
    public ushort? TopicAliasMaximum { get; set; }
    public ushort? TopicAlias { get; set; }
    public byte? MaximumQoS { get; set; }
    public byte? RetainAvailable { get; set; }
    public List<UserProperty>? UserProperties { get; set; }
    public uint? MaximumPacketSize { get; set; }
    public byte? WildcardSubscriptionAvailable { get; set; }
    public byte? SubscriptionIdentifierAvailable { get; set; }
    public byte? SharedSubscriptionAvailable { get; set; }

    /// <summary>A shallow copy (lists are copied, values are immutable).</summary>
    public MqttProperties Clone()
    {
        var copy = (MqttProperties)MemberwiseClone();
        copy.SubscriptionIdentifiers = SubscriptionIdentifiers is null ? null : [.. SubscriptionIdentifiers];
        copy.UserProperties = UserProperties is null ? null : [.. UserProperties];
        return copy;
    }
}
