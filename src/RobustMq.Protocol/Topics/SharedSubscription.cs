namespace RobustMq.Protocol.Topics;

/// <summary>
/// A shared subscription filter <c>$share/{Group}/{Filter}</c> (MQTT 5 section 4.8.2). <see cref="Filter"/> is
/// the inner filter that routing, retained messages and ACL checks use.
/// </summary>
public readonly record struct SharedSubscription(string Group, string Filter)
{
    /// <summary>The prefix that marks a shared subscription.</summary>
    public const string Prefix = "$share/";

    /// <summary>True when <paramref name="filter"/> starts with "$share/"; it may still be malformed.</summary>
    public static bool IsShared(string filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        return filter.StartsWith(Prefix, StringComparison.Ordinal);
    }

    /// <summary>
    /// Splits a well-formed <c>$share/{group}/{filter}</c>. Returns false for a filter that is not shared and for
    /// a malformed one: an empty group or one containing '+', '#' or U+0000 (MQTT-4.8.2-1, MQTT-4.8.2-2), or an
    /// invalid inner filter. Check <see cref="IsShared"/> first to tell the two apart: the broker answers a
    /// malformed shared filter with TopicFilterInvalid.
    /// </summary>
    public static bool TryParse(string filter, out SharedSubscription shared)
    {
        shared = default;
        if (!IsShared(filter))
        {
            return false;
        }

        var rest = filter.AsSpan(Prefix.Length);
        var slash = rest.IndexOf('/');
        if (slash <= 0)
        {
            return false; // no group, or no '/' before the inner filter
        }

        var group = rest[..slash];
        var inner = rest[(slash + 1)..];
        if (group.ContainsAny('+', '#', '\0') || !TopicValidator.IsValidTopicFilter(inner))
        {
            return false;
        }

        shared = new SharedSubscription(group.ToString(), inner.ToString());
        return true;
    }

    /// <summary>The full <c>$share/{Group}/{Filter}</c> text.</summary>
    public override string ToString() => string.Concat(Prefix, Group, "/", Filter);
}
