using System.Buffers;
using System.Text;

namespace RobustMq.Protocol.Topics;

/// <summary>
/// Turns the UTF-8 topic of a decoded PUBLISH into a string, reusing the string of a topic seen recently: a
/// client publishes to a few topics over and over, so steady publishing allocates no topic strings. Holds a
/// handful of entries, replaced round-robin. One per connection; not thread-safe.
/// </summary>
public sealed class TopicNameCache
{
    private const int Slots = 4;
    private const int MaxCachedLength = 256;
    private readonly byte[]?[] _utf8 = new byte[Slots][];
    private readonly string?[] _names = new string[Slots];
    private int _next;

    public string Get(in ReadOnlySequence<byte> utf8)
    {
        if (utf8.IsSingleSegment)
        {
            return Get(utf8.FirstSpan);
        }

        // A topic split across input segments: rare, so gathered on the heap.
        return Get((ReadOnlySpan<byte>)utf8.ToArray());
    }

    public string Get(ReadOnlySpan<byte> utf8)
    {
        for (var i = 0; i < Slots; i++)
        {
            if (_utf8[i] is { } known && utf8.SequenceEqual(known))
            {
                return _names[i]!;
            }
        }

        var name = Encoding.UTF8.GetString(utf8);
        if (utf8.Length <= MaxCachedLength)
        {
            _utf8[_next] = utf8.ToArray();
            _names[_next] = name;
            _next = (_next + 1) % Slots;
        }

        return name;
    }
}
