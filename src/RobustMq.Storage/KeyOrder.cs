namespace RobustMq.Storage;

/// <summary>
/// The order of keys in a scan: ordinal by UTF-8 bytes, which is Unicode code point order (it differs from
/// <see cref="StringComparer.Ordinal"/>, UTF-16 order, where U+E000..U+FFFF meet surrogate pairs).
/// </summary>
public sealed class KeyOrder : IComparer<string>
{
    public static readonly KeyOrder Utf8 = new();

    private KeyOrder()
    {
    }

    public int Compare(string? x, string? y)
    {
        if (ReferenceEquals(x, y))
        {
            return 0;
        }

        if (x is null || y is null)
        {
            return x is null ? -1 : 1;
        }

        var a = x.EnumerateRunes();
        var b = y.EnumerateRunes();
        while (true)
        {
            var hasA = a.MoveNext();
            var hasB = b.MoveNext();
            if (!hasA || !hasB)
            {
                return hasA ? 1 : hasB ? -1 : 0;
            }

            var c = a.Current.Value.CompareTo(b.Current.Value);
            if (c != 0)
            {
                return c;
            }
        }
    }
}
