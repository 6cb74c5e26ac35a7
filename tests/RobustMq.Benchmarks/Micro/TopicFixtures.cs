namespace RobustMq.Benchmarks.Micro;

/// <summary>The subscription filter set shared by the trie and route cache benchmarks; deterministic (seeded).</summary>
internal static class TopicFixtures
{
    public const int FilterCount = 100_000;
    public const int ExactCount = 90_000;
    public const int Seed = 42;

    /// <summary>
    /// 90,000 device filters <c>site/{n%100}/device/{n}/telemetry</c> and 10,000 wildcard filters spread over
    /// 2,000 sites: <c>site/{k}/device/+/telemetry</c>, <c>site/{k}/#</c>, <c>site/{k}/device/+/+</c>,
    /// <c>site/+/device/{d}/telemetry</c>, <c>site/{k}/device/{d}/#</c>. Returned in a seeded shuffled order.
    /// </summary>
    public static string[] Filters()
    {
        var random = new Random(Seed);
        var filters = new string[FilterCount];
        for (var n = 0; n < ExactCount; n++)
        {
            filters[n] = DeviceTopic(n);
        }

        for (var i = ExactCount; i < FilterCount; i++)
        {
            var k = random.Next(2_000);
            var d = random.Next(ExactCount);
            filters[i] = (i % 5) switch
            {
                0 => $"site/{k}/device/+/telemetry",
                1 => $"site/{k}/#",
                2 => $"site/{k}/device/+/+",
                3 => $"site/+/device/{d}/telemetry",
                _ => $"site/{d % 100}/device/{d}/#",
            };
        }

        random.Shuffle(filters);
        return filters;
    }

    public static string DeviceTopic(int n) => $"site/{n % 100}/device/{n}/telemetry";

    /// <summary>
    /// Picks the measured topics with <paramref name="count"/> (how many values match a topic): a device topic
    /// matched by its own filter only, the device topic matched by the most filters, and a topic of the
    /// exact-only device's site that nothing matches.
    /// </summary>
    public static (string Exact, string Wildcards, string Miss) PickTopics(Func<string, int> count)
    {
        string? exact = null;
        var wildcards = "";
        var most = 0;
        for (var n = 0; n < ExactCount; n++)
        {
            var topic = DeviceTopic(n);
            var matches = count(topic);
            if (matches == 1)
            {
                exact ??= topic;
            }

            if (matches > most)
            {
                (most, wildcards) = (matches, topic);
            }
        }

        if (exact is null)
        {
            throw new InvalidOperationException("no device topic is matched by its own filter only");
        }

        var miss = exact.Replace("/device/", "/device/x", StringComparison.Ordinal);
        if (count(miss) != 0)
        {
            throw new InvalidOperationException($"{miss} should match nothing");
        }

        Console.WriteLine($"// exact {exact}: 1 match; wildcards {wildcards}: {most} matches; miss {miss}: 0");
        return (exact, wildcards, miss);
    }
}
