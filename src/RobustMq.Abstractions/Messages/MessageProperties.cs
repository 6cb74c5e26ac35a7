namespace RobustMq.Abstractions.Messages;

/// <summary>
/// The MQTT 5 properties of an application message that are forwarded to subscribers untouched (MQTT 5, 3.3.2.3).
/// Each is null when the publisher did not send it; a present one keeps its value, even an empty string or an empty
/// <see cref="CorrelationData"/> array: absent and empty are different messages and stay different wherever a
/// message goes (routing, retained store, wills, session queues, storage).
/// <see cref="MessageExpiryInterval"/> is the interval as published; the time left is
/// <see cref="BrokerMessage.ExpiresAtUnixMs"/>, which is what is forwarded.
/// </summary>
[GenerateSerializer, Immutable, Alias("robustmq.msgprops.v1")]
public sealed record MessageProperties(
    [property: Id(0)] byte? PayloadFormatIndicator = null,
    [property: Id(1)] string? ContentType = null,
    [property: Id(2)] string? ResponseTopic = null,
    [property: Id(3)] byte[]? CorrelationData = null,
    [property: Id(4)] KeyValuePair<string, string>[]? UserProperties = null,
    [property: Id(5)] uint? MessageExpiryInterval = null);
