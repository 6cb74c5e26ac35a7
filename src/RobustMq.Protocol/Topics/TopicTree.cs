namespace RobustMq.Protocol.Topics;

/// <summary>
/// Topic NAMES mapped to one value each (the retained-message store). <see cref="MatchFilter"/> walks only the
/// branches a filter can reach, so a narrow filter stays cheap among many stored topics.
/// </summary>
/// <remarks>
/// Not thread-safe: the owner locks. <see cref="TryGet"/>, <see cref="MatchFilter"/> and <see cref="Count"/> only
/// read, so concurrent readers are fine while no <see cref="Set"/> or <see cref="Remove"/> runs.
/// Keys must be valid topic names (<see cref="TopicValidator.IsValidTopicName(string)"/>).
/// </remarks>
public sealed class TopicTree<TValue>
{
    /// <summary>Stack marker: collect the node and everything below it (a '#' has been reached).</summary>
    private const int AllBelow = -1;

    [ThreadStatic]
    private static Stack<(Node Node, int Pos)>? t_pending;

    private readonly Node _root = new();

    /// <summary>Number of stored topics.</summary>
    public int Count { get; private set; }

    /// <summary>Stores <paramref name="value"/> under <paramref name="topic"/>, replacing any previous value.</summary>
    public void Set(string topic, TValue value)
    {
        ArgumentNullException.ThrowIfNull(topic);
        var node = _root;
        var pos = 0;
        while (!TopicLevels.AtEnd(topic, pos))
        {
            node = node.GetOrAddChild(TopicLevels.Next(topic, ref pos));
        }

        if (node.Topic is null)
        {
            node.Topic = topic;
            Count++;
        }

        node.Value = value;
    }

    /// <summary>Removes the value stored under <paramref name="topic"/> and prunes empty nodes. False when there was none.</summary>
    public bool Remove(string topic)
    {
        ArgumentNullException.ThrowIfNull(topic);
        var path = new List<(Node Parent, int Start, int Length)>();
        var node = _root;
        var pos = 0;
        while (!TopicLevels.AtEnd(topic, pos))
        {
            var start = pos;
            var level = TopicLevels.Next(topic, ref pos);
            path.Add((node, start, level.Length));
            var child = node.GetChild(level);
            if (child is null)
            {
                return false;
            }

            node = child;
        }

        if (node.Topic is null)
        {
            return false;
        }

        node.Topic = null;
        node.Value = default!;
        Count--;

        for (var i = path.Count - 1; i >= 0 && node.IsEmpty; i--)
        {
            var (parent, start, length) = path[i];
            parent.RemoveChild(topic.AsSpan(start, length));
            node = parent;
        }

        return true;
    }

    /// <summary>Looks up the value stored under exactly <paramref name="topic"/>.</summary>
    public bool TryGet(string topic, out TValue value)
    {
        ArgumentNullException.ThrowIfNull(topic);
        var node = Find(topic);
        if (node?.Topic is null)
        {
            value = default!;
            return false;
        }

        value = node.Value;
        return true;
    }

    /// <summary>
    /// Appends every stored (topic, value) whose topic <paramref name="filter"/> matches (MQTT 5 section 4.7:
    /// "a/#" includes "a"; a leading '+' or '#' skips '$' topics, MQTT-4.7.2-1), in no particular order.
    /// The filter must be valid and not shared.
    /// </summary>
    public void MatchFilter(string filter, List<KeyValuePair<string, TValue>> results)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentNullException.ThrowIfNull(results);

        if (!TopicValidator.HasWildcards(filter))
        {
            if (Find(filter) is { Topic: { } exact } node)
            {
                results.Add(new(exact, node.Value));
            }

            return;
        }

        // Iterative walk: stored topics can be thousands of levels deep. The stack is this thread's scratch
        // (taken while in use), so concurrent readers stay safe and a lookup allocates nothing once warm.
        var pending = t_pending ?? new Stack<(Node Node, int Pos)>();
        t_pending = null;
        try
        {
            MatchFrom(pending, filter, results);
        }
        finally
        {
            pending.Clear();
            t_pending = pending;
        }
    }

    private void MatchFrom(Stack<(Node Node, int Pos)> pending, string filter, List<KeyValuePair<string, TValue>> results)
    {
        pending.Push((_root, 0));
        while (pending.TryPop(out var item))
        {
            var (node, pos) = item;
            if (pos == AllBelow)
            {
                AddIfStored(node, results);
                PushChildren(node, AllBelow, skipDollar: false, pending);
                continue;
            }

            if (TopicLevels.AtEnd(filter, pos))
            {
                AddIfStored(node, results);
                continue;
            }

            // MQTT-4.7.2-1: only the root's children are first levels, where '$' topics begin.
            var atRoot = pos == 0;
            var level = TopicLevels.Next(filter, ref pos);
            if (TopicLevels.IsHash(level))
            {
                AddIfStored(node, results); // MQTT-4.7.1-1: "a/#" matches "a" (the root stores nothing)
                PushChildren(node, AllBelow, atRoot, pending);
            }
            else if (TopicLevels.IsPlus(level))
            {
                PushChildren(node, pos, atRoot, pending);
            }
            else if (node.GetChild(level) is { } child)
            {
                pending.Push((child, pos));
            }
        }
    }

    private Node? Find(string topic)
    {
        var node = _root;
        var pos = 0;
        while (!TopicLevels.AtEnd(topic, pos))
        {
            var child = node.GetChild(TopicLevels.Next(topic, ref pos));
            if (child is null)
            {
                return null;
            }

            node = child;
        }

        return node;
    }

    private static void AddIfStored(Node node, List<KeyValuePair<string, TValue>> results)
    {
        if (node.Topic is { } topic)
        {
            results.Add(new(topic, node.Value));
        }
    }

    private static void PushChildren(Node node, int pos, bool skipDollar, Stack<(Node Node, int Pos)> pending)
    {
        if (node.Children is not { } children)
        {
            return;
        }

        foreach (var (level, child) in children)
        {
            if (skipDollar && level.StartsWith('$'))
            {
                continue;
            }

            pending.Push((child, pos));
        }
    }

    private sealed class Node
    {
        private Dictionary<string, Node>.AlternateLookup<ReadOnlySpan<char>> _lookup;

        public Dictionary<string, Node>? Children { get; private set; }

        /// <summary>The stored topic ending at this node, or null when none is stored here.</summary>
        public string? Topic { get; set; }

        public TValue Value { get; set; } = default!;

        public bool IsEmpty => Topic is null && Children is null;

        public Node? GetChild(ReadOnlySpan<char> level)
        {
            return Children is not null && _lookup.TryGetValue(level, out var child) ? child : null;
        }

        public Node GetOrAddChild(ReadOnlySpan<char> level)
        {
            if (Children is null)
            {
                Children = new Dictionary<string, Node>(StringComparer.Ordinal);
                _lookup = Children.GetAlternateLookup<ReadOnlySpan<char>>();
            }
            else if (_lookup.TryGetValue(level, out var existing))
            {
                return existing;
            }

            var child = new Node();
            Children.Add(level.ToString(), child);
            return child;
        }

        public void RemoveChild(ReadOnlySpan<char> level)
        {
            if (Children is not null && _lookup.Remove(level) && Children.Count == 0)
            {
                Children = null;
                _lookup = default;
            }
        }
    }
}
