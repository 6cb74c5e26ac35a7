using System.Buffers;
using RobustMq.Protocol.Topics;

namespace RobustMq.Gateway.Security;

/// <summary>
/// One line of the ACL file: <c>allow|deny publish|subscribe|all &lt;filter&gt; [client=&lt;id&gt;|user=&lt;name&gt;|*] [reason=0xNN]</c>.
/// </summary>
/// <param name="Allow">True for <c>allow</c>, false for <c>deny</c>.</param>
/// <param name="Action">The action the rule covers; null for <c>all</c> (publish and subscribe).</param>
/// <param name="Filter">Topic filter; <c>%c</c> and <c>%u</c> stand for the client id and the username.</param>
/// <param name="ClientId">Only this client id (<c>client=</c>), or null.</param>
/// <param name="UserName">Only this username (<c>user=</c>), or null. Neither set means everyone (<c>*</c>).</param>
/// <param name="ReasonCode">Reason code a deny gives (0x87 unless <c>reason=</c>); 0x00 for allow rules.</param>
/// <param name="Line">Line number in the source, for diagnostics.</param>
public sealed record AclRule(
    bool Allow,
    AclAction? Action,
    string Filter,
    string? ClientId,
    string? UserName,
    byte ReasonCode,
    int Line)
{
    private const int StackBufferLength = 256;

    /// <summary>
    /// True when the rule covers this request. Publish: the rule filter matches the topic name. Subscribe: an
    /// allow rule covers a requested filter that is a subset of the rule filter (every topic it can match, the
    /// rule matches too); a deny rule covers a requested filter that overlaps it (could match any topic the
    /// rule names), so <c>deny subscribe secret/#</c> also refuses <c>#</c>.
    /// A <c>%c</c>/<c>%u</c> rule whose value is missing, empty or contains '+', '#', '/' or U+0000 (a client
    /// id "+" must not widen <c>devices/%c/#</c>) is skipped when it allows and applies when it denies.
    /// </summary>
    internal bool Covers(AclAction action, string topicOrFilter, string clientId, string? userName)
    {
        if (Action is { } only && only != action)
        {
            return false;
        }

        if (ClientId is not null && !string.Equals(ClientId, clientId, StringComparison.Ordinal))
        {
            return false;
        }

        if (UserName is not null && !string.Equals(UserName, userName, StringComparison.Ordinal))
        {
            return false;
        }

        return Filter.Contains('%')
            ? CoversWithPattern(action, topicOrFilter, clientId, userName)
            : FilterCovers(Filter, action, topicOrFilter);
    }

    private bool CoversWithPattern(AclAction action, string topicOrFilter, string clientId, string? userName)
    {
        var length = SubstitutedLength(Filter, clientId, userName);
        if (length < 0)
        {
            return !Allow; // unsafe or missing value: fail closed
        }

        char[]? rented = null;
        Span<char> buffer = length <= StackBufferLength
            ? stackalloc char[StackBufferLength]
            : (rented = ArrayPool<char>.Shared.Rent(length));
        try
        {
            var filter = buffer[..length];
            Substitute(Filter, clientId, userName!, filter);
            return FilterCovers(filter, action, topicOrFilter);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<char>.Shared.Return(rented);
            }
        }
    }

    private bool FilterCovers(ReadOnlySpan<char> ruleFilter, AclAction action, ReadOnlySpan<char> topicOrFilter)
    {
        if (action == AclAction.Publish)
        {
            return TopicMatcher.Matches(ruleFilter, topicOrFilter);
        }

        // A subscription is governed by a rule when every topic it can match is matched by the rule's
        // filter (as EMQX and Mosquitto read subscribe rules): `deny subscribe a/b` refuses `a/b`, not `+/+`.
        return TopicMatcher.IsSubsetOf(topicOrFilter, ruleFilter);
    }

    /// <summary>Length of the filter after substitution, or -1 when a needed value is missing or unsafe.</summary>
    private static int SubstitutedLength(string filter, string clientId, string? userName)
    {
        var length = 0;
        for (var i = 0; i < filter.Length; i++)
        {
            var value = PlaceholderAt(filter, i, clientId, userName, out var isPlaceholder);
            if (!isPlaceholder)
            {
                length++;
                continue;
            }

            if (!IsSafeValue(value))
            {
                return -1;
            }

            length += value!.Length;
            i++;
        }

        return length;
    }

    private static void Substitute(string filter, string clientId, string userName, Span<char> destination)
    {
        var written = 0;
        for (var i = 0; i < filter.Length; i++)
        {
            var value = PlaceholderAt(filter, i, clientId, userName, out var isPlaceholder);
            if (!isPlaceholder)
            {
                destination[written++] = filter[i];
                continue;
            }

            value.AsSpan().CopyTo(destination[written..]);
            written += value!.Length;
            i++;
        }
    }

    private static string? PlaceholderAt(string filter, int i, string clientId, string? userName, out bool isPlaceholder)
    {
        isPlaceholder = filter[i] == '%' && i + 1 < filter.Length && filter[i + 1] is 'c' or 'u';
        if (!isPlaceholder)
        {
            return null;
        }

        return filter[i + 1] == 'c' ? clientId : userName;
    }

    private static bool IsSafeValue(string? value)
    {
        return !string.IsNullOrEmpty(value) && !value.AsSpan().ContainsAny("+#/\0");
    }
}
