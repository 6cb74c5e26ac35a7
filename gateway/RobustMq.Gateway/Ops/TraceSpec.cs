using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace RobustMq.Gateway.Ops;

/// <summary>
/// One trace (EMQX's log trace): which connections it follows (<see cref="Type"/> <c>clientid</c>, <c>topic</c> or
/// <c>ip_address</c>, and the value: an exact client id, a topic filter, an IP address), and when (Unix ms,
/// <see cref="StartAtUnixMs"/> inclusive to <see cref="EndAtUnixMs"/> exclusive). <see cref="StoppedAtUnixMs"/> is
/// set when an operator stopped it early. <see cref="Id"/> is drawn when it is created: a trace deleted and created
/// again under the same name is another trace, with another file on every node. Stored as JSON in
/// <see cref="IOpsStore.TraceSpace"/> under its name.
/// </summary>
[GenerateSerializer, Immutable, Alias("robustmq.tracespec")]
public sealed partial record TraceSpec(
    [property: Id(0), JsonPropertyName("name")] string Name,
    [property: Id(1), JsonPropertyName("type")] string Type,
    [property: Id(2), JsonPropertyName("value")] string Value,
    [property: Id(3), JsonPropertyName("start_at")] long StartAtUnixMs,
    [property: Id(4), JsonPropertyName("end_at")] long EndAtUnixMs,
    [property: Id(5), JsonPropertyName("stopped_at")] long? StoppedAtUnixMs = null,
    [property: Id(6), JsonPropertyName("id")] string? Id = null)
{
    /// <summary>The suffix of every trace file; start-up cleanup deletes only files with it.</summary>
    public const string FileSuffix = ".trace.log";

    public const string ClientIdType = "clientid";
    public const string TopicType = "topic";
    public const string IpAddressType = "ip_address";

    /// <summary>The trace's status at <paramref name="nowUnixMs"/>: <c>waiting</c>, <c>running</c> or <c>stopped</c>.</summary>
    public string Status(long nowUnixMs) =>
        StoppedAtUnixMs is not null || nowUnixMs >= EndAtUnixMs ? "stopped" : nowUnixMs < StartAtUnixMs ? "waiting" : "running";

    /// <summary>Whether it runs at <paramref name="nowUnixMs"/>.</summary>
    public bool IsRunning(long nowUnixMs) => Status(nowUnixMs) == "running";

    /// <summary>
    /// The name of its file on each node: <c>{name}.{id}.trace.log</c> (<c>{name}.trace.log</c> for a record stored
    /// without an id). Names and ids hold no '.', '/' or '\' (checked by <see cref="Decode"/>): always a file of the trace folder.
    /// </summary>
    public string FileName => (Id is null ? Name : Name + "." + Id) + FileSuffix;

    /// <summary>A new trace's <see cref="Id"/>: 16 random hex digits.</summary>
    public static string NewId() => Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(8));

    public byte[] Encode() => JsonSerializer.SerializeToUtf8Bytes(this);

    /// <exception cref="FormatException">Not a trace record.</exception>
    public static TraceSpec Decode(byte[] value)
    {
        try
        {
            return JsonSerializer.Deserialize<TraceSpec>(value) is { Type.Length: > 0, Value: not null } spec
                && IsValidName(spec.Name) && (spec.Id is null || NamePattern().IsMatch(spec.Id))
                ? spec
                : throw new FormatException("not a trace record (or a name or id outside 1-64 of A-Z a-z 0-9 _ -)");
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
        if (!IsValidName(name))
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

    /// <summary>Whether <paramref name="name"/> is 1-64 of <c>A-Z a-z 0-9 _ -</c> (nothing else: not a trailing newline either).</summary>
    public static bool IsValidName([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] string? name) => name is not null && NamePattern().IsMatch(name);

    // \z, not $: $ also matches before a final "\n".
    [GeneratedRegex(@"^[A-Za-z0-9_-]{1,64}\z")]
    private static partial Regex NamePattern();
}
