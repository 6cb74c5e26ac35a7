using System.Runtime.CompilerServices;

namespace RobustMq.Protocol.Topics;

/// <summary>
/// Topic FILTERS mapped to values, as a multiset: a filter may hold several values and the same value more
/// than once. <see cref="Match"/> finds every value whose filter matches a topic name without allocating.
/// </summary>
/// <remarks>
/// Not thread-safe: the owner locks. <see cref="Match"/>, <see cref="Count"/> and <see cref="Entries"/> only read,
/// so concurrent readers are fine while no <see cref="Add"/> or <see cref="Remove"/> runs.
/// Filters must be valid (<see cref="TopicValidator.IsValidTopicFilter(string)"/>) and not shared: strip
/// <c>$share/{group}/</c> before adding (<see cref="SharedSubscription"/>).
/// </remarks>
public sealed class TopicTrie<TValue>
{
    private readonly Node _root = new();

    /// <summary>Number of (filter, value) entries.</summary>
    public int Count { get; private set; }

    /// <summary>Adds one entry; adding the same (filter, value) twice stores it twice.</summary>
    public void Add(string filter, TValue value)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var node = _root;
        var pos = 0;
        while (!TopicLevels.AtEnd(filter, pos))
        {
            var level = TopicLevels.Next(filter, ref pos);
            node = node.GetOrAddChild(level);
        }

        node.Filter ??= filter;
        (node.Values ??= []).Add(value);
        Count++;
    }

    /// <summary>
    /// Removes one entry equal to (<paramref name="filter"/>, <paramref name="value"/>) by
    /// <see cref="EqualityComparer{T}.Default"/> and prunes nodes left empty. False when there was none.
    /// </summary>
    public bool Remove(string filter, TValue value)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var path = new List<(Node Parent, int Start, int Length)>();
        var node = _root;
        var pos = 0;
        while (!TopicLevels.AtEnd(filter, pos))
        {
            var start = pos;
            var level = TopicLevels.Next(filter, ref pos);
            path.Add((node, start, level.Length));
            var child = node.GetChild(level);
            if (child is null)
            {
                return false;
            }

            node = child;
        }

        var values = node.Values;
        var index = values is null ? -1 : IndexOf(values, value);
        if (index < 0)
        {
            return false;
        }

        values!.RemoveAt(index);
        Count--;
        if (values.Count == 0)
        {
            node.Values = null;
            node.Filter = null;
        }

        // Prune empty nodes bottom-up.
        for (var i = path.Count - 1; i >= 0 && node.IsEmpty; i--)
        {
            var (parent, start, length) = path[i];
            parent.RemoveChild(filter.AsSpan(start, length));
            node = parent;
        }

        return true;
    }

    /// <summary>The values stored under exactly <paramref name="filter"/> (not matched: the same filter string).</summary>
    public IReadOnlyList<TValue> ValuesAt(string filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var node = _root;
        var pos = 0;
        while (!TopicLevels.AtEnd(filter, pos))
        {
            var child = node.GetChild(TopicLevels.Next(filter, ref pos));
            if (child is null)
            {
                return [];
            }

            node = child;
        }

        return node.Values ?? (IReadOnlyList<TValue>)[];
    }

    /// <summary>
    /// Appends to <paramref name="results"/> every value whose filter matches the topic name
    /// <paramref name="topic"/> (MQTT 5 section 4.7, with the '$' rule MQTT-4.7.2-1). A value stored under
    /// several matching filters is appended once per filter. Allocates nothing except when
    /// <paramref name="results"/> grows.
    /// </summary>
    public void Match(string topic, List<TValue> results)
    {
        ArgumentNullException.ThrowIfNull(topic);
        ArgumentNullException.ThrowIfNull(results);

        // MQTT-4.7.2-1: a '$' topic skips the root's '+' and '#' branches.
        var root = _root;
        var dollar = TopicLevels.StartsWithDollar(topic);
        if (!dollar && root.Hash?.Values is { } all)
        {
            results.AddRange(all);
        }

        var pos = 0;
        var level = TopicLevels.Next(topic, ref pos);
        if (!dollar && root.Plus is { } plus)
        {
            MatchFrom(plus, topic, pos, results);
        }

        if (root.GetLiteralChild(level) is { } child)
        {
            MatchFrom(child, topic, pos, results);
        }
    }

    /// <summary>Every (filter, value) entry, in no particular order. Don't modify the trie while enumerating.</summary>
    public IEnumerable<(string Filter, TValue Value)> Entries()
    {
        var pending = new Stack<Node>();
        pending.Push(_root);
        while (pending.Count > 0)
        {
            var node = pending.Pop();
            if (node.Values is { } values)
            {
                foreach (var value in values)
                {
                    yield return (node.Filter!, value);
                }
            }

            if (node.Hash is { } hash)
            {
                pending.Push(hash);
            }

            if (node.Plus is { } plus)
            {
                pending.Push(plus);
            }

            if (node.Children is { } children)
            {
                foreach (var child in children.Values)
                {
                    pending.Push(child);
                }
            }
        }
    }

    /// <summary><paramref name="node"/> has matched the topic levels before <paramref name="pos"/>.</summary>
    private static void MatchFrom(Node node, string topic, int pos, List<TValue> results)
    {
        // Recursion depth is bounded by the depth of the stored filters; refuse rather than overflow the stack.
        RuntimeHelpers.EnsureSufficientExecutionStack();

        // MQTT-4.7.1-1: '#' matches the parent level too ("a/#" matches "a").
        if (node.Hash?.Values is { } rest)
        {
            results.AddRange(rest);
        }

        if (TopicLevels.AtEnd(topic, pos))
        {
            if (node.Values is { } exact)
            {
                results.AddRange(exact);
            }

            return;
        }

        var level = TopicLevels.Next(topic, ref pos);
        if (node.Plus is { } plus)
        {
            MatchFrom(plus, topic, pos, results);
        }

        if (node.GetLiteralChild(level) is { } child)
        {
            MatchFrom(child, topic, pos, results);
        }
    }

    private static int IndexOf(List<TValue> values, TValue value)
    {
        var comparer = EqualityComparer<TValue>.Default;
        for (var i = 0; i < values.Count; i++)
        {
            if (comparer.Equals(values[i], value))
            {
                return i;
            }
        }

        return -1;
    }

    private sealed class Node
    {
        private Dictionary<string, Node>? _children;
        private Dictionary<string, Node>.AlternateLookup<ReadOnlySpan<char>> _lookup;

        /// <summary>Literal child levels.</summary>
        public Dictionary<string, Node>? Children => _children;

        /// <summary>The '+' child level.</summary>
        public Node? Plus { get; private set; }

        /// <summary>The '#' child level; it only ever holds values.</summary>
        public Node? Hash { get; private set; }

        /// <summary>The filter ending at this node, while it has values.</summary>
        public string? Filter { get; set; }

        public List<TValue>? Values { get; set; }

        public bool IsEmpty => Values is null && Plus is null && Hash is null && _children is null;

        public Node? GetChild(ReadOnlySpan<char> level)
        {
            if (TopicLevels.IsPlus(level))
            {
                return Plus;
            }

            if (TopicLevels.IsHash(level))
            {
                return Hash;
            }

            return _children is not null && _lookup.TryGetValue(level, out var child) ? child : null;
        }

        /// <summary>Literal lookup only: used when matching topic names, where '+' and '#' are plain text.</summary>
        public Node? GetLiteralChild(ReadOnlySpan<char> level)
        {
            return _children is not null && _lookup.TryGetValue(level, out var child) ? child : null;
        }

        public Node GetOrAddChild(ReadOnlySpan<char> level)
        {
            if (TopicLevels.IsPlus(level))
            {
                return Plus ??= new Node();
            }

            if (TopicLevels.IsHash(level))
            {
                return Hash ??= new Node();
            }

            if (_children is null)
            {
                _children = new Dictionary<string, Node>(StringComparer.Ordinal);
                _lookup = _children.GetAlternateLookup<ReadOnlySpan<char>>();
            }
            else if (_lookup.TryGetValue(level, out var existing))
            {
                return existing;
            }

            var child = new Node();
            _children.Add(level.ToString(), child);
            return child;
        }

        public void RemoveChild(ReadOnlySpan<char> level)
        {
            if (TopicLevels.IsPlus(level))
            {
                Plus = null;
                return;
            }

            if (TopicLevels.IsHash(level))
            {
                Hash = null;
                return;
            }

            if (_children is null || !_lookup.Remove(level))
            {
                return;
            }

            if (_children.Count == 0)
            {
                _children = null;
                _lookup = default;
            }
        }
    }
}
