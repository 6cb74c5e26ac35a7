using System.Text.Json.Serialization;

namespace RobustMq.Gateway.Security.BuiltInAcl;

/// <summary>
/// One rule of the built-in ACL store, in EMQX's built-in database shape:
/// <c>{"permission": "allow|deny", "action": "publish|subscribe|all", "topic": "t/%c/#", "qos": [0, 1], "retain": false, "ipaddr": "10.0.0.0/8"}</c>
/// (<c>qos</c>, <c>retain</c> and <c>ipaddr</c> optional: see <see cref="AclRule"/>'s conditions).
/// </summary>
[GenerateSerializer, Immutable, Alias("robustmq.aclrule")]
public sealed record AclEntryRule(
    [property: JsonPropertyName("permission"), Id(0)] string? Permission,
    [property: JsonPropertyName("action"), Id(1)] string? Action,
    [property: JsonPropertyName("topic"), Id(2)] string? Topic,
    [property: JsonPropertyName("qos"), Id(3)] int[]? QoS = null,
    [property: JsonPropertyName("retain"), Id(4)] bool? Retain = null,
    [property: JsonPropertyName("ipaddr"), Id(5)] string? IpAddr = null)
{
    /// <summary>Whether <paramref name="other"/> is the same rule: every field equal (the QoS levels in the same order).</summary>
    public bool SameAs(AclEntryRule other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Permission == other.Permission && Action == other.Action && Topic == other.Topic && Retain == other.Retain && IpAddr == other.IpAddr
            && (QoS is null ? other.QoS is null : other.QoS is not null && QoS.AsSpan().SequenceEqual(other.QoS));
    }
}

/// <summary>
/// The rules of one subject of the built-in ACL store (storage space <see cref="IAclRuleStore.Space"/>, key
/// <see cref="Who"/>, value this record as JSON): <c>user/{name}</c>, <c>client/{id}</c> or <c>all</c>, as EMQX's
/// built-in database keeps rules by username, by client id and for all.
/// </summary>
public sealed record AclEntry(
    [property: JsonPropertyName("who")] string Who,
    [property: JsonPropertyName("rules")] IReadOnlyList<AclEntryRule> Rules)
{
    /// <summary>The subject of rules for every client.</summary>
    public const string All = "all";

    /// <summary>The most rules one subject may have.</summary>
    public const int MaxRules = 1000;

    /// <summary>The subject of rules for the user <paramref name="userName"/>.</summary>
    public static string ForUser(string userName) => "user/" + userName;

    /// <summary>The subject of rules for the client <paramref name="clientId"/>.</summary>
    public static string ForClient(string clientId) => "client/" + clientId;

    /// <summary>Why <paramref name="who"/> is not a subject (<c>all</c>, <c>user/{name}</c>, <c>client/{id}</c>, no U+0000), or null.</summary>
    public static string? WhoProblem(string? who)
    {
        if (who == All)
        {
            return null;
        }

        if (who is null || !(who.StartsWith("user/", StringComparison.Ordinal) || who.StartsWith("client/", StringComparison.Ordinal))
            || who.EndsWith('/') || who.Contains('\0', StringComparison.Ordinal))
        {
            return $"'{who}' is not a subject: all, user/<name> or client/<id>";
        }

        return null;
    }

    /// <summary>The rules as the checks run them, in order, each <see cref="AclRule.FromSource"/>.</summary>
    /// <exception cref="AclSourceException">A rule that is not one (the message names the subject and the rule's place).</exception>
    public IReadOnlyList<AclRule> ToRules() => ToRules(Rules, "builtin " + Who);

    /// <summary><paramref name="rules"/> as the checks run them, in order; <paramref name="where"/> names them in an error.</summary>
    /// <exception cref="AclSourceException">A rule that is not one.</exception>
    public static IReadOnlyList<AclRule> ToRules(IReadOnlyList<AclEntryRule?> rules, string where)
    {
        ArgumentNullException.ThrowIfNull(rules);
        var result = new AclRule[rules.Count];
        for (var i = 0; i < result.Length; i++)
        {
            var rule = rules[i] ?? throw new AclSourceException($"{where} rule {i + 1}: null");
            result[i] = AclRules.Of(
                rule.Permission,
                rule.Action,
                rule.Topic,
                $"{where} rule {i + 1}",
                new AclRuleConditions(rule.IpAddr, QoSText(rule.QoS), rule.Retain?.ToString()));
        }

        return result;
    }

    /// <summary>The levels as <see cref="AclConditions.QoS"/> reads them; an empty list is not "any" but an error.</summary>
    private static string? QoSText(int[]? levels) => levels is null ? null : levels.Length == 0 ? "[]" : string.Join(',', levels);

    public byte[] Encode() => System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(this);

    /// <summary>The entry stored as <paramref name="value"/>.</summary>
    /// <exception cref="FormatException">Not an ACL entry.</exception>
    public static AclEntry Decode(ReadOnlySpan<byte> value) =>
        JsonRecord.Decode<AclEntry>(value, e => e is { Who.Length: > 0, Rules: not null }, "ACL entry");
}

/// <summary>
/// The built-in ACL store, durable in the node's storage engine (<c>Storage:Default</c>; shared by the cluster when
/// that is PostgreSQL). Implemented by the silo over its storage engines.
/// </summary>
public interface IAclRuleStore
{
    /// <summary>The keyed storage space of the entries.</summary>
    const string Space = "acl_rules";

    /// <summary>Every entry; one that cannot be read is left out (and logged by the store).</summary>
    Task<IReadOnlyList<AclEntry>> ListAsync(CancellationToken cancellationToken = default);

    /// <summary>The entry of the subject <paramref name="who"/>, or null when it has none.</summary>
    /// <exception cref="RobustMq.Storage.StorageException">The stored entry cannot be read (Corrupt), or the store failed.</exception>
    Task<AclEntry?> GetAsync(string who, CancellationToken cancellationToken = default);

    /// <summary>Stores <paramref name="entry"/>, replacing the subject's rules; completes once durable.</summary>
    Task PutAsync(AclEntry entry, CancellationToken cancellationToken = default);

    /// <summary>Deletes the subject's rules; true when there were some.</summary>
    Task<bool> DeleteAsync(string who, CancellationToken cancellationToken = default);
}
