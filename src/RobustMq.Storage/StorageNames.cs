namespace RobustMq.Storage;

/// <summary>
/// What names the engine takes, so that every backend can store them as they are (file names, column families,
/// SQL values). Shard: 1-200 characters of <c>[A-Za-z0-9._/-]</c>, not starting with <c>.</c> or <c>/</c> and
/// without <c>..</c> (callers escape client ids and topics, e.g. with <see cref="EscapeKey"/>). Space: 1-48 characters of
/// <c>[a-z0-9_]</c>. Key: 1 to <see cref="MaxKeyBytes"/> bytes of UTF-8 (the length of an MQTT string), any
/// character but U+0000.
/// </summary>
public static class StorageNames
{
    public const int MaxShardLength = 200;
    public const int MaxSpaceLength = 48;
    public const int MaxKeyBytes = 65_535;

    /// <exception cref="ArgumentException">Not a valid shard name.</exception>
    public static void CheckShard(string shard)
    {
        ArgumentException.ThrowIfNullOrEmpty(shard);
        if (!IsShard(shard))
        {
            throw new ArgumentException($"not a shard name (1-{MaxShardLength} of [A-Za-z0-9._/-], no leading '.' or '/', no '..'): '{shard}'", nameof(shard));
        }
    }

    /// <exception cref="ArgumentException">Not a valid space name.</exception>
    public static void CheckSpace(string space)
    {
        ArgumentException.ThrowIfNullOrEmpty(space);
        if (space.Length > MaxSpaceLength || !space.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '_'))
        {
            throw new ArgumentException($"not a space name (1-{MaxSpaceLength} of [a-z0-9_]): '{space}'", nameof(space));
        }
    }

    /// <exception cref="ArgumentException">Not a valid key.</exception>
    public static void CheckKey(string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        if ((key.Length > MaxKeyBytes / 3 && System.Text.Encoding.UTF8.GetByteCount(key) > MaxKeyBytes) || key.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException($"not a key (1-{MaxKeyBytes} bytes of UTF-8, no U+0000): '{key[..Math.Min(key.Length, 100)]}'", nameof(key));
        }
    }

    public static bool IsShard(string shard)
    {
        if (shard.Length is 0 or > MaxShardLength || shard[0] is '.' or '/' || shard.Contains("..", StringComparison.Ordinal))
        {
            return false;
        }

        foreach (var c in shard)
        {
            if (c is not ((>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '.' or '_' or '/' or '-'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Any text (a client id, a topic) as a shard name part: <c>[A-Za-z0-9_-]</c> kept, every other UTF-8 byte as
    /// <c>.XX</c> (hex). Distinct texts give distinct names; the result has no <c>/</c> and no <c>..</c>.
    /// </summary>
    public static string EscapeKey(string text)
    {
        var builder = new System.Text.StringBuilder(text.Length);
        Span<byte> bytes = stackalloc byte[4];
        foreach (var rune in text.EnumerateRunes())
        {
            if (rune.Value is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '_' or '-')
            {
                builder.Append((char)rune.Value);
                continue;
            }

            var n = rune.EncodeToUtf8(bytes);
            for (var i = 0; i < n; i++)
            {
                builder.Append('.').Append(bytes[i].ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        return builder.ToString();
    }
}
