using System.Text.RegularExpressions;
using FsCheck;
using FsCheck.Fluent;

namespace RobustMq.Protocol.Tests.Topics;

/// <summary>A valid topic filter from a small alphabet, so that filters and topics collide often.</summary>
public sealed record GenFilter(string Value)
{
    public override string ToString() => Value;
}

/// <summary>A valid topic name from the same alphabet ("z" appears in no filter: it stands for "any other level").</summary>
public sealed record GenTopic(string Value)
{
    public override string ToString() => Value;
}

/// <summary>FsCheck arbitraries for topic properties, plus an independent (regex) reference matcher.</summary>
public static class TopicGenerators
{
    private static readonly string[] FilterLevels = ["a", "b", "", "$s", "+"];
    private static readonly string[] TopicLevels = ["a", "b", "", "$s", "z"];

    public static Arbitrary<GenFilter> Filters()
    {
        var gen =
            from depth in Gen.Choose(1, 3)
            from levels in Gen.ArrayOf(Gen.Elements(FilterLevels), depth)
            from hash in Gen.Elements(0, 1, 2) // 0: none, 1: replace the last level, 2: append
            select new GenFilter(WithHash(levels, hash));
        return Arb.From(gen.Where(f => f.Value.Length > 0));
    }

    public static Arbitrary<GenTopic> Topics()
    {
        var gen =
            from depth in Gen.Choose(1, 4)
            from levels in Gen.ArrayOf(Gen.Elements(TopicLevels), depth)
            select new GenTopic(string.Join('/', levels));
        return Arb.From(gen.Where(t => t.Value.Length > 0));
    }

    /// <summary>Every topic name of 1 to <paramref name="maxDepth"/> levels over the topic alphabet.</summary>
    public static IReadOnlyList<string> AllTopics(int maxDepth)
    {
        var all = new List<string>();
        var current = new List<string> { "" };
        for (var depth = 1; depth <= maxDepth; depth++)
        {
            current = depth == 1
                ? [.. TopicLevels]
                : [.. current.SelectMany(prefix => TopicLevels.Select(level => prefix + "/" + level))];
            all.AddRange(current.Where(t => t.Length > 0));
        }

        return all;
    }

    /// <summary>Reference matcher: translates the filter into a regex (independent of TopicMatcher).</summary>
    public static bool ReferenceMatches(string filter, string topic)
    {
        if (topic.StartsWith('$') && (filter.StartsWith('+') || filter.StartsWith('#')))
        {
            return false;
        }

        string pattern;
        if (filter == "#")
        {
            pattern = ".*";
        }
        else
        {
            var tail = filter.EndsWith("/#", StringComparison.Ordinal) ? "(/.*)?" : "";
            var body = tail.Length > 0 ? filter[..^2] : filter;
            pattern = string.Join('/', body.Split('/').Select(l => l == "+" ? "[^/]*" : Regex.Escape(l))) + tail;
        }

        return Regex.IsMatch(topic, "^" + pattern + "$", RegexOptions.Singleline);
    }

    private static string WithHash(string[] levels, int hash) => hash switch
    {
        1 => string.Join('/', levels[..^1].Append("#")),
        2 => string.Join('/', levels.Append("#")),
        _ => string.Join('/', levels),
    };
}
