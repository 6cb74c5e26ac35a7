namespace RobustMq.Protocol.Topics;

/// <summary>MQTT topic name and topic filter syntax (MQTT 5 sections 1.5.4 and 4.7).</summary>
public static class TopicValidator
{
    /// <summary>Largest UTF-8 string MQTT can carry (two-byte length prefix).</summary>
    public const int MaxUtf8Length = 65535;

    /// <summary>
    /// A topic name a PUBLISH may carry: non-empty (MQTT-4.7.3-1), no wildcards (MQTT-3.3.2-2),
    /// no U+0000 and well-formed UTF-8 of at most 65535 bytes (MQTT-1.5.4-1, MQTT-1.5.4-2).
    /// </summary>
    public static bool IsValidTopicName(string topic)
    {
        ArgumentNullException.ThrowIfNull(topic);
        return IsValidTopicName(topic.AsSpan());
    }

    /// <inheritdoc cref="IsValidTopicName(string)"/>
    public static bool IsValidTopicName(ReadOnlySpan<char> topic)
    {
        // MQTT-3.3.2-2: the topic name must not contain wildcard characters.
        return topic.Length > 0 && !HasWildcards(topic) && IsWellFormedUtf8String(topic);
    }

    /// <summary>Whether the text holds '+' or '#'. A filter without them matches exactly the topic of the same name.</summary>
    public static bool HasWildcards(ReadOnlySpan<char> text) => text.ContainsAny('+', '#');

    /// <summary>
    /// A topic filter a SUBSCRIBE may carry: non-empty (MQTT-4.7.3-1), '#' only alone in the last level
    /// (MQTT-4.7.1-1), '+' only alone in its level (MQTT-4.7.1-2), no U+0000 and at most 65535 UTF-8 bytes.
    /// </summary>
    public static bool IsValidTopicFilter(string filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        return IsValidTopicFilter(filter.AsSpan());
    }

    /// <inheritdoc cref="IsValidTopicFilter(string)"/>
    public static bool IsValidTopicFilter(ReadOnlySpan<char> filter)
    {
        if (filter.Length == 0 || !IsWellFormedUtf8String(filter))
        {
            return false;
        }

        var pos = 0;
        while (!TopicLevels.AtEnd(filter, pos))
        {
            var level = TopicLevels.Next(filter, ref pos);
            if (level.Length > 1 && level.ContainsAny('+', '#'))
            {
                return false; // MQTT-4.7.1-2 / MQTT-4.7.1-1: a wildcard occupies a whole level
            }

            if (TopicLevels.IsHash(level) && !TopicLevels.AtEnd(filter, pos))
            {
                return false; // MQTT-4.7.1-1: '#' must be the last level
            }
        }

        return true;
    }

    /// <summary>
    /// A UTF-8 Encoded String MQTT may carry (MQTT 5 1.5.4): no U+0000 (MQTT-1.5.4-2), no unpaired surrogate
    /// (MQTT-1.5.4-1), and at most <see cref="MaxUtf8Length"/> bytes once encoded.
    /// </summary>
    public static bool IsWellFormedUtf8String(ReadOnlySpan<char> text)
    {
        // Every char encodes to at most 3 bytes (a surrogate pair is 2 chars for 4 bytes).
        if (text.Length > MaxUtf8Length)
        {
            return false;
        }

        if (System.Text.Ascii.IsValid(text))
        {
            return !text.Contains('\0'); // MQTT-1.5.4-2
        }

        var bytes = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c < 0x80)
            {
                if (c == '\0')
                {
                    return false; // MQTT-1.5.4-2
                }

                bytes += 1;
            }
            else if (c < 0x800)
            {
                bytes += 2;
            }
            else if (char.IsHighSurrogate(c))
            {
                if (i + 1 >= text.Length || !char.IsLowSurrogate(text[i + 1]))
                {
                    return false; // MQTT-1.5.4-1: ill-formed UTF-16 has no UTF-8 encoding
                }

                i++;
                bytes += 4;
            }
            else if (char.IsLowSurrogate(c))
            {
                return false;
            }
            else
            {
                bytes += 3;
            }
        }

        return bytes <= MaxUtf8Length;
    }
}
