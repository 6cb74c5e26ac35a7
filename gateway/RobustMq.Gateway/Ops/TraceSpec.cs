using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace RobustMq.Gateway.Ops;

/// <summary>
/// One trace (EMQX's log trace): which connections it follows (<see cref="Type"/> <c>clientid</c>, <c>topic</c> or
/// <c>ip_address</c>, and the value: an exact client id, a topic filter, an IP address), and when (Unix ms,
/// <see cref="StartAtUnixMs"/> inclusive to <see cref="EndAtUnixMs"/> exclusive). <see cref="StoppedAtUnixMs"/> is
/// set when an operator stopped it early. Stored as JSON in <see cref="IOpsStore.TraceSpace"/> under its name.
/// </summary>
[GenerateSerializer, Immutable, Alias("robustmq.tracespec")]
public sealed partial record TraceSpec(
    [property: Id(0), JsonPropertyName("name")] string Name,
    [property: Id(1), JsonPropertyName("type")] string Type,
    [property: Id(2), JsonPropertyName("value")] string Value,
    [property: Id(3), JsonPropertyName("start_at")] long StartAtUnixMs,
    [property: Id(4), JsonPropertyName("end_at")] long EndAtUnixMs,
    [property: Id(5), JsonPropertyName("stopped_at")] long? StoppedAtUnixMs = null)
{
    public const string ClientIdType = "clientid";
    public const string TopicType = "topic";
    public const string IpAddressType = "ip_address";

    /// <summary>The trace's status at <paramref name="nowUnixMs"/>: <c>waiting</c>, <c>running</c> or <c>stopped</c>.</summary>
    public string Status(long nowUnixMs) =>
        StoppedAtUnixMs is not null || nowUnixMs >= EndAtUnixMs ? "stopped" : nowUnixMs < StartAtUnixMs ? "waiting" : "running";

    /// <summary>Whether it runs at <paramref name="nowUnixMs"/>.</summary>
    public bool IsRunning(long nowUnixMs) => Status(nowUnixMs) == "running";

    public byte[] Encode() => JsonSerializer.SerializeToUtf8Bytes(this);

    /// <exception cref="FormatException">Not a trace record.</exception>
    public static TraceSpec Decode(byte[] value)
    {
        try
        {
            return JsonSerializer.Deserialize<TraceSpec>(value) is { Name.Length: > 0, Type.Length: > 0, Value: not null } spec
                ? spec
                : throw new FormatException("not a trace record");
        }
        catch (JsonException ex)
        {
            throw new FormatException("not a trace record: " + ex.Message, ex);
        }
    }

    /// <summary>
    /// What is wrong with a trace of <paramref name="name"/>, <paramref name="type"/> and <paramref name="value"/>, or
    /// null: the name is 1-64 of <c>A-Z a-z 0-9 _ -</c> (it names the file), the type one of the three, the value a
    /// client id, a valid topic filter or an IP address.
    /// </summary>
    public static string? Problem(string? name, string? type, string? value)
    {
        if (name is null || !NamePattern().IsMatch(name))
        {
            return $"name must be 1-64 letters, digits, '_' or '-' (got '{name}')";
        }

        switch (type)
        {
            case ClientIdType:
                return value is { Length: > 0 and <= 65535 } ? null : "clientid must be given (the exact client id)";
            case TopicType:
                return value is { Length: > 0 } && RobustMq.Protocol.Topics.TopicValidator.IsValidTopicFilter(value) ? null : $"topic must be a valid topic filter (got '{value}')";
            case IpAddressType:
                return value is not null && System.Net.IPAddress.TryParse(value, out _) ? null : $"ip_address must be an IP address (got '{value}')";
            default:
                return $"type must be clientid, topic or ip_address (got '{type}')";
        }
    }

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    private static partial Regex NamePattern();
}
