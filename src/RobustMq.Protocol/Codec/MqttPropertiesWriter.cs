using RobustMq.Protocol.Properties;

namespace RobustMq.Protocol.Codec;

/// <summary>Measures and writes an MQTT 5 property list, in identifier order. Which properties a packet may carry is up to the caller.</summary>
internal static class MqttPropertiesWriter
{
    /// <summary>The size of the properties themselves, without the Property Length prefix; 0 for null or nothing set.</summary>
    public static int Measure(MqttProperties? properties)
    {
        if (properties is null)
        {
            return 0;
        }

        var size = 0;
        size += SizeOfByte(properties.PayloadFormatIndicator);
        size += SizeOfUInt32(properties.MessageExpiryInterval);
        size += SizeOfString(properties.ContentType);
        size += SizeOfString(properties.ResponseTopic);
        size += SizeOfBinary(properties.CorrelationData);
        if (properties.SubscriptionIdentifiers is { } subscriptionIds)
        {
            foreach (var id in subscriptionIds)
            {
                size += 1 + SizeOfSubscriptionIdentifier(id);
            }
        }

        size += SizeOfUInt32(properties.SessionExpiryInterval);
        size += SizeOfString(properties.AssignedClientIdentifier);
        size += SizeOfUInt16(properties.ServerKeepAlive);
        size += SizeOfString(properties.AuthenticationMethod);
        size += SizeOfBinary(properties.AuthenticationData);
        size += SizeOfByte(properties.RequestProblemInformation);
        size += SizeOfUInt32(properties.WillDelayInterval);
        size += SizeOfByte(properties.RequestResponseInformation);
        size += SizeOfString(properties.ResponseInformation);
        size += SizeOfString(properties.ServerReference);
        size += SizeOfString(properties.ReasonString);
        size += SizeOfUInt16(properties.ReceiveMaximum);
        size += SizeOfUInt16(properties.TopicAliasMaximum);
        size += SizeOfUInt16(properties.TopicAlias);
        size += SizeOfByte(properties.MaximumQoS);
        size += SizeOfByte(properties.RetainAvailable);
        if (properties.UserProperties is { } userProperties)
        {
            foreach (var userProperty in userProperties)
            {
                size += 1 + MqttSpanWriter.SizeOfString(userProperty.Name) + MqttSpanWriter.SizeOfString(userProperty.Value);
            }
        }

        size += SizeOfUInt32(properties.MaximumPacketSize);
        size += SizeOfByte(properties.WildcardSubscriptionAvailable);
        size += SizeOfByte(properties.SubscriptionIdentifierAvailable);
        size += SizeOfByte(properties.SharedSubscriptionAvailable);
        return size;
    }

    /// <summary>Property Length plus properties, as measured by <see cref="Measure"/>.</summary>
    public static int SizeWithLength(int propertiesLength) =>
        MqttSpanWriter.SizeOfVariableByteInteger(propertiesLength) + propertiesLength;

    /// <summary>Writes Property Length (<paramref name="length"/>, from <see cref="Measure"/>) and the properties.</summary>
    public static void Write(ref MqttSpanWriter writer, MqttProperties? properties, int length)
    {
        writer.WriteVariableByteInteger(length);
        if (properties is null || length == 0)
        {
            return;
        }

        WriteByte(ref writer, PropertyId.PayloadFormatIndicator, properties.PayloadFormatIndicator);
        WriteUInt32(ref writer, PropertyId.MessageExpiryInterval, properties.MessageExpiryInterval);
        WriteString(ref writer, PropertyId.ContentType, properties.ContentType);
        WriteString(ref writer, PropertyId.ResponseTopic, properties.ResponseTopic);
        WriteBinary(ref writer, PropertyId.CorrelationData, properties.CorrelationData);
        if (properties.SubscriptionIdentifiers is { } subscriptionIds)
        {
            foreach (var id in subscriptionIds)
            {
                writer.WriteByte((byte)PropertyId.SubscriptionIdentifier);
                writer.WriteVariableByteInteger((int)id);
            }
        }

        WriteUInt32(ref writer, PropertyId.SessionExpiryInterval, properties.SessionExpiryInterval);
        WriteString(ref writer, PropertyId.AssignedClientIdentifier, properties.AssignedClientIdentifier);
        WriteUInt16(ref writer, PropertyId.ServerKeepAlive, properties.ServerKeepAlive);
        WriteString(ref writer, PropertyId.AuthenticationMethod, properties.AuthenticationMethod);
        WriteBinary(ref writer, PropertyId.AuthenticationData, properties.AuthenticationData);
        WriteByte(ref writer, PropertyId.RequestProblemInformation, properties.RequestProblemInformation);
        WriteUInt32(ref writer, PropertyId.WillDelayInterval, properties.WillDelayInterval);
        WriteByte(ref writer, PropertyId.RequestResponseInformation, properties.RequestResponseInformation);
        WriteString(ref writer, PropertyId.ResponseInformation, properties.ResponseInformation);
        WriteString(ref writer, PropertyId.ServerReference, properties.ServerReference);
        WriteString(ref writer, PropertyId.ReasonString, properties.ReasonString);
        WriteUInt16(ref writer, PropertyId.ReceiveMaximum, properties.ReceiveMaximum);
        WriteUInt16(ref writer, PropertyId.TopicAliasMaximum, properties.TopicAliasMaximum);
        WriteUInt16(ref writer, PropertyId.TopicAlias, properties.TopicAlias);
        WriteByte(ref writer, PropertyId.MaximumQoS, properties.MaximumQoS);
        WriteByte(ref writer, PropertyId.RetainAvailable, properties.RetainAvailable);
        if (properties.UserProperties is { } userProperties)
        {
            foreach (var userProperty in userProperties)
            {
                writer.WriteByte((byte)PropertyId.UserProperty);
                writer.WriteString(userProperty.Name);
                writer.WriteString(userProperty.Value);
            }
        }

        WriteUInt32(ref writer, PropertyId.MaximumPacketSize, properties.MaximumPacketSize);
        WriteByte(ref writer, PropertyId.WildcardSubscriptionAvailable, properties.WildcardSubscriptionAvailable);
        WriteByte(ref writer, PropertyId.SubscriptionIdentifierAvailable, properties.SubscriptionIdentifierAvailable);
        WriteByte(ref writer, PropertyId.SharedSubscriptionAvailable, properties.SharedSubscriptionAvailable);
    }

    private static int SizeOfSubscriptionIdentifier(uint id) => id is 0 or > MqttSpanWriter.MaximumVariableByteInteger
        ? throw new ArgumentOutOfRangeException(nameof(id), id, "a Subscription Identifier is 1 to 268,435,455")
        : MqttSpanWriter.SizeOfVariableByteInteger((int)id);

    private static int SizeOfByte(byte? value) => value.HasValue ? 2 : 0;

    private static int SizeOfUInt16(ushort? value) => value.HasValue ? 3 : 0;

    private static int SizeOfUInt32(uint? value) => value.HasValue ? 5 : 0;

    private static int SizeOfString(string? value) => value is null ? 0 : 1 + MqttSpanWriter.SizeOfString(value);

    private static int SizeOfBinary(ReadOnlyMemory<byte>? value) => value.HasValue ? 1 + MqttSpanWriter.SizeOfBinary(value.Value.Length) : 0;

    private static void WriteByte(ref MqttSpanWriter writer, PropertyId id, byte? value)
    {
        if (value.HasValue)
        {
            writer.WriteByte((byte)id);
            writer.WriteByte(value.Value);
        }
    }

    private static void WriteUInt16(ref MqttSpanWriter writer, PropertyId id, ushort? value)
    {
        if (value.HasValue)
        {
            writer.WriteByte((byte)id);
            writer.WriteUInt16(value.Value);
        }
    }

    private static void WriteUInt32(ref MqttSpanWriter writer, PropertyId id, uint? value)
    {
        if (value.HasValue)
        {
            writer.WriteByte((byte)id);
            writer.WriteUInt32(value.Value);
        }
    }

    private static void WriteString(ref MqttSpanWriter writer, PropertyId id, string? value)
    {
        if (value is not null)
        {
            writer.WriteByte((byte)id);
            writer.WriteString(value);
        }
    }

    private static void WriteBinary(ref MqttSpanWriter writer, PropertyId id, ReadOnlyMemory<byte>? value)
    {
        if (value.HasValue)
        {
            writer.WriteByte((byte)id);
            writer.WriteBinary(value.Value.Span);
        }
    }
}
