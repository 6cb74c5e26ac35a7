namespace RobustMq.Protocol.Topics;

/// <summary>
/// Walks the '/'-separated levels of a topic name or filter without allocating.
/// A position <c>pos</c> is the start of the next level; <c>pos &gt; text.Length</c> means there is no next level
/// (so "a/" has two levels, "a" and "", and "" has one empty level).
/// </summary>
internal static class TopicLevels
{
    /// <summary>Returns the level starting at <paramref name="pos"/> and moves <paramref name="pos"/> past it and its '/'.</summary>
    public static ReadOnlySpan<char> Next(ReadOnlySpan<char> text, ref int pos)
    {
        var rest = text[pos..];
        var slash = rest.IndexOf('/');
        if (slash < 0)
        {
            pos = text.Length + 1;
            return rest;
        }

        pos += slash + 1;
        return rest[..slash];
    }

    /// <summary>True when every level has been read.</summary>
    public static bool AtEnd(ReadOnlySpan<char> text, int pos) => pos > text.Length;

    public static bool IsPlus(ReadOnlySpan<char> level) => level.Length == 1 && level[0] == '+';

    public static bool IsHash(ReadOnlySpan<char> level) => level.Length == 1 && level[0] == '#';

    /// <summary>True when the remaining levels from <paramref name="pos"/> are exactly "#".</summary>
    public static bool RestIsHash(ReadOnlySpan<char> text, int pos) => pos == text.Length - 1 && text[pos] == '#';

    /// <summary>MQTT-4.7.2-1: a topic whose first level starts with '$' is not matched by a leading '+' or '#'.</summary>
    public static bool StartsWithDollar(ReadOnlySpan<char> text) => text.Length > 0 && text[0] == '$';
}
