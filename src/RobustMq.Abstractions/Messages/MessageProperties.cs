namespace RobustMq.Abstractions.Messages;

/// <summary>The MQTT 5 properties of an application message that are forwarded to subscribers untouched.</summary>
[GenerateSerializer, Immutable, Alias("robustmq.msgprops.v1")]
public sealed record MessageProperties(
    [property: Id(0)] byte? PayloadFormatIndicator = null,
    [property: Id(1)] string? ContentType = null,
    [property: Id(2)] string? ResponseTopic = null,
    [property: Id(3)] byte[]? CorrelationData = null,
    [property: Id(4)] KeyValuePair<string, string>[]? UserProperties = null,
    [property: Id(5)] uint? MessageExpiryInterval = null);
