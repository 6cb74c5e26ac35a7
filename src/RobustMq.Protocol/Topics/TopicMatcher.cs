namespace RobustMq.Protocol.Topics;

/// <summary>
/// Topic filter matching (MQTT 5 section 4.7) over spans, without allocating.
/// Filters are assumed valid (<see cref="TopicValidator.IsValidTopicFilter(string)"/>); shared-subscription
/// prefixes must be stripped first (<see cref="SharedSubscription"/>).
/// </summary>
public static class TopicMatcher
{
    /// <summary>
    /// True when <paramref name="filter"/> matches the topic name <paramref name="topic"/>:
    /// '+' matches exactly one level (also an empty one), '#' matches the parent level and any number of
    /// child levels ("sport/#" matches "sport"), and a topic starting with '$' is not matched by a filter
    /// whose first level is '+' or '#' (MQTT-4.7.2-1).
    /// </summary>
    public static bool Matches(string filter, string topic)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentNullException.ThrowIfNull(topic);
        return Matches(filter.AsSpan(), topic.AsSpan());
    }

    /// <inheritdoc cref="Matches(string, string)"/>
    public static bool Matches(ReadOnlySpan<char> filter, ReadOnlySpan<char> topic)
    {
        // MQTT-4.7.2-1: '$' topics are not matched by a leading wildcard.
        if (TopicLevels.StartsWithDollar(topic) && filter.Length > 0 && filter[0] is '+' or '#')
        {
            return false;
        }

        int f = 0, t = 0;
        while (true)
        {
            var filterLevel = TopicLevels.Next(filter, ref f);
            if (TopicLevels.IsHash(filterLevel))
            {
                return true; // MQTT-4.7.1-1: '#' also matches the parent level
            }

            if (TopicLevels.AtEnd(topic, t))
            {
                return false; // the filter has more levels than the topic
            }

            var topicLevel = TopicLevels.Next(topic, ref t);
            if (!TopicLevels.IsPlus(filterLevel) && !filterLevel.SequenceEqual(topicLevel))
            {
                return false;
            }

            if (TopicLevels.AtEnd(filter, f))
            {
                return TopicLevels.AtEnd(topic, t);
            }
        }
    }

    /// <summary>
    /// True when every topic <paramref name="filter"/> can match is also matched by <paramref name="ofFilter"/>
    /// (equal filters included): "a/b" ⊆ "a/+", "a/+" ⊆ "a/#", "a" ⊆ "a/#", but "a/#" ⊄ "a/+" and
    /// "$SYS/x" ⊄ "#" (MQTT-4.7.2-1).
    /// </summary>
    public static bool IsSubsetOf(string filter, string ofFilter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentNullException.ThrowIfNull(ofFilter);
        return IsSubsetOf(filter.AsSpan(), ofFilter.AsSpan());
    }

    /// <inheritdoc cref="IsSubsetOf(string, string)"/>
    public static bool IsSubsetOf(ReadOnlySpan<char> filter, ReadOnlySpan<char> ofFilter)
    {
        if (filter.SequenceEqual(ofFilter))
        {
            return true;
        }

        // MQTT-4.7.2-1: a filter naming '$' topics is not covered by a leading wildcard.
        if (DollarRuleSeparates(filter, ofFilter))
        {
            return false;
        }

        int f = 0, o = 0;
        while (true)
        {
            if (TopicLevels.AtEnd(filter, f))
            {
                // "a" ⊆ "a/#": '#' also matches the parent level.
                return TopicLevels.AtEnd(ofFilter, o) || TopicLevels.RestIsHash(ofFilter, o);
            }

            if (TopicLevels.AtEnd(ofFilter, o))
            {
                return false;
            }

            var levelStart = f;
            var level = TopicLevels.Next(filter, ref f);
            var ofLevel = TopicLevels.Next(ofFilter, ref o);
            if (TopicLevels.IsHash(ofLevel))
            {
                return true;
            }

            if (TopicLevels.IsHash(level))
            {
                // '#' also matches its parent, so only '#' covers it; except when that parent is no valid topic
                // (no level at all, or the single empty level ""): then "#" ≡ "+/#" and "/#" ≡ "/+/#".
                var parentIsEmptyTopic = levelStart == 0 || levelStart == 1; // levelStart 1: the first level was ""
                return parentIsEmptyTopic && TopicLevels.IsPlus(ofLevel) && TopicLevels.RestIsHash(ofFilter, o);
            }

            if (!TopicLevels.IsPlus(ofLevel) && (TopicLevels.IsPlus(level) || !level.SequenceEqual(ofLevel)))
            {
                return false;
            }
        }
    }

    /// <summary>True when at least one topic name is matched by both filters.</summary>
    public static bool Overlaps(string filter, string otherFilter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentNullException.ThrowIfNull(otherFilter);
        return Overlaps(filter.AsSpan(), otherFilter.AsSpan());
    }

    /// <inheritdoc cref="Overlaps(string, string)"/>
    public static bool Overlaps(ReadOnlySpan<char> filter, ReadOnlySpan<char> otherFilter)
    {
        if (DollarRuleSeparates(filter, otherFilter) || DollarRuleSeparates(otherFilter, filter))
        {
            return false;
        }

        int a = 0, b = 0, depth = 0;
        while (true)
        {
            var aDone = TopicLevels.AtEnd(filter, a);
            var bDone = TopicLevels.AtEnd(otherFilter, b);
            if (aDone || bDone)
            {
                // The common topic has exactly `depth` levels; a single forced-empty level is "", no valid topic.
                if (depth == 1 && (filter.StartsWith('/') || otherFilter.StartsWith('/')))
                {
                    return false;
                }

                return (aDone && bDone)
                    || (aDone && TopicLevels.RestIsHash(otherFilter, b))
                    || (bDone && TopicLevels.RestIsHash(filter, a));
            }

            depth++;

            var aLevel = TopicLevels.Next(filter, ref a);
            var bLevel = TopicLevels.Next(otherFilter, ref b);
            if (TopicLevels.IsHash(aLevel) || TopicLevels.IsHash(bLevel))
            {
                return true;
            }

            if (!TopicLevels.IsPlus(aLevel) && !TopicLevels.IsPlus(bLevel) && !aLevel.SequenceEqual(bLevel))
            {
                return false;
            }
        }
    }

    /// <summary>
    /// True when <paramref name="filter"/> only matches '$' topics (its first level is a literal starting
    /// with '$') and <paramref name="wildcardFilter"/> starts with '+' or '#', which never match those.
    /// </summary>
    private static bool DollarRuleSeparates(ReadOnlySpan<char> filter, ReadOnlySpan<char> wildcardFilter)
    {
        return TopicLevels.StartsWithDollar(filter)
            && wildcardFilter.Length > 0
            && wildcardFilter[0] is '+' or '#';
    }
}
