using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace RobustMq.Gateway.Security.Blacklist;

/// <summary>
/// One blacklist entry (EMQX's banned clients, RobustMQ's blacklist): what it matches (<see cref="Kind"/> and
/// <see cref="Value"/>), why, and until when. Stored as JSON in keyed space <see cref="IBanStore.Space"/>, key
/// <see cref="Key"/>.
/// </summary>
/// <param name="Kind">
/// <c>clientid</c> (exact client id), <c>username</c> (exact user name), <c>peerhost</c> (an IP address or a CIDR
/// block such as <c>10.0.0.0/8</c>), <c>clientid_re</c> or <c>username_re</c> (a .NET regular expression, matched
/// without backtracking, anywhere in the value unless anchored).
/// </param>
/// <param name="Value">What is banned, as the kind reads it.</param>
/// <param name="Reason">Why (shown by the admin API and in the log).</param>
/// <param name="UntilUnixMs">When the ban ends (Unix ms); null for never.</param>
/// <param name="CreatedUnixMs">When it was made (Unix ms).</param>
public sealed record Ban(
    [property: JsonPropertyName("kind")] string Kind,
    [property: JsonPropertyName("value")] string Value,
    [property: JsonPropertyName("reason")] string? Reason,
    [property: JsonPropertyName("until_ms")] long? UntilUnixMs,
    [property: JsonPropertyName("created_ms")] long CreatedUnixMs)
{
    /// <summary>The longest storage key (<c>{kind}/{value}</c>, UTF-8 bytes), as the storage engine takes it.</summary>
    public const int MaxKeyBytes = 65_535;

    /// <summary>The longest ban <c>duration_s</c> the admin API takes: 100 years.</summary>
    public const long MaxDurationSeconds = 100L * 365 * 24 * 3600;

    public const string ClientId = "clientid";
    public const string UserName = "username";
    public const string PeerHost = "peerhost";
    public const string ClientIdPattern = "clientid_re";
    public const string UserNamePattern = "username_re";

    /// <summary>Every kind, in the order a CONNECT is checked against them.</summary>
    public static readonly IReadOnlyList<string> Kinds = [ClientId, UserName, PeerHost, ClientIdPattern, UserNamePattern];

    /// <summary>Its storage key: <c>{kind}/{value}</c>.</summary>
    [JsonIgnore]
    public string Key => KeyOf(Kind, Value);

    public static string KeyOf(string kind, string value) => kind + "/" + value;

    /// <summary>Whether the ban has ended at <paramref name="nowUnixMs"/>.</summary>
    public bool HasEnded(long nowUnixMs) => UntilUnixMs is { } until && until <= nowUnixMs;

    /// <summary>
    /// Why <paramref name="kind"/> and <paramref name="value"/> do not make a ban (an unknown kind, an empty value, a
    /// bad address or CIDR, a regular expression that does not parse), or null when they do.
    /// </summary>
    public static string? Problem(string? kind, string? value)
    {
        if (kind is null || !Kinds.Contains(kind))
        {
            return $"kind must be one of {string.Join(", ", Kinds)} (got '{kind}')";
        }

        if (string.IsNullOrEmpty(value))
        {
            return "value must not be empty";
        }

        if (value.Contains('\0', StringComparison.Ordinal) || System.Text.Encoding.UTF8.GetByteCount(KeyOf(kind, value)) > MaxKeyBytes)
        {
            return $"value must be at most {MaxKeyBytes - kind.Length - 1} bytes of UTF-8 without U+0000";
        }

        switch (kind)
        {
            case PeerHost when !IPNetwork.TryParse(value, out _) && !IPAddress.TryParse(value, out _):
                return $"'{value}' is not an IP address or CIDR block";
            case ClientIdPattern or UserNamePattern:
                try
                {
                    _ = BanList.Compile(value);
                }
                catch (Exception ex) when (ex is ArgumentException or NotSupportedException)
                {
                    // NotSupportedException: lookarounds, backreferences and the like, which need backtracking.
                    return $"'{value}' is not a regular expression this broker runs (no backtracking): {ex.Message}";
                }

                break;
        }

        return null;
    }

    public byte[] Encode() => JsonSerializer.SerializeToUtf8Bytes(this);

    /// <exception cref="FormatException">Not a ban record.</exception>
    public static Ban Decode(ReadOnlySpan<byte> value) => JsonRecord.Decode<Ban>(value, b => Problem(b.Kind, b.Value) is null, "ban");
}

/// <summary>The blacklist, durable in the node's storage engine (<c>Storage:Default</c>; the cluster's PostgreSQL in a cluster).</summary>
public interface IBanStore
{
    /// <summary>The keyed storage space of the bans.</summary>
    const string Space = "blacklist";

    /// <summary>Every ban stored, ended ones included.</summary>
    Task<IReadOnlyList<Ban>> ListAsync(CancellationToken cancellationToken = default);

    /// <summary>Stores <paramref name="ban"/>, replacing one with the same key; completes once durable.</summary>
    Task PutAsync(Ban ban, CancellationToken cancellationToken = default);

    /// <summary>Deletes the ban with <paramref name="key"/> (<see cref="Ban.Key"/>); true when there was one.</summary>
    Task<bool> DeleteAsync(string key, CancellationToken cancellationToken = default);
}
