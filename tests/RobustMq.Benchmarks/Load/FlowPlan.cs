namespace RobustMq.Benchmarks.Load;

/// <summary>
/// Who publishes where and who subscribes to what in a throughput scenario, and how many copies of each message
/// the subscribers should receive in total.
/// </summary>
/// <param name="PublisherTopics">Per publisher, the topics it cycles over.</param>
/// <param name="SubscriberFilters">Per subscriber connection, the filters it subscribes to.</param>
/// <param name="CopiesPerMessage">Deliveries each published message should cause.</param>
/// <param name="SharedGroup">True for a <c>$share</c> group: count exact duplicates across members.</param>
public sealed record FlowPlan(string[][] PublisherTopics, string[][] SubscriberFilters, int CopiesPerMessage, bool SharedGroup)
{
    public int Publishers => PublisherTopics.Length;
    public int Subscribers => SubscriberFilters.Length;

    /// <summary>P publishers → S subscribers, on one topic or one topic per publisher (each subscriber takes all).</summary>
    public static FlowPlan FanIn(string prefix, LoadOptions options)
    {
        var topics = options.TopicPerPublisher
            ? Enumerable.Range(0, options.Publishers).Select(i => $"{prefix}/fanin/{i}").ToArray()
            : [$"{prefix}/fanin"];
        var publisherTopics = Enumerable.Range(0, options.Publishers)
            .Select(i => new[] { topics[i % topics.Length] })
            .ToArray();
        var subscriberFilters = Enumerable.Range(0, options.Subscribers).Select(_ => topics).ToArray();
        return new FlowPlan(publisherTopics, subscriberFilters, options.Subscribers, SharedGroup: false);
    }

    /// <summary>One publisher → S subscribers of its topic.</summary>
    public static FlowPlan FanOut(string prefix, LoadOptions options)
    {
        var topic = $"{prefix}/fanout";
        var subscriberFilters = Enumerable.Range(0, options.Subscribers).Select(_ => new[] { topic }).ToArray();
        return new FlowPlan([[topic]], subscriberFilters, options.Subscribers, SharedGroup: false);
    }

    /// <summary>P publishers → one topic, consumed by a <c>$share/g/...</c> group of S members: one copy each.</summary>
    public static FlowPlan Shared(string prefix, LoadOptions options)
    {
        var topic = $"{prefix}/shared";
        var publisherTopics = Enumerable.Range(0, options.Publishers).Select(_ => new[] { topic }).ToArray();
        var subscriberFilters = Enumerable.Range(0, options.Subscribers).Select(_ => new[] { $"$share/g/{topic}" }).ToArray();
        return new FlowPlan(publisherTopics, subscriberFilters, 1, SharedGroup: true);
    }

    /// <summary>
    /// T distinct topics, each with exactly one subscriber: subscriber j takes topics j, j+S, ...; publisher i
    /// cycles over topics i, i+P, ...
    /// </summary>
    public static FlowPlan Topics(string prefix, LoadOptions options)
    {
        var topics = Enumerable.Range(0, options.Topics).Select(t => $"{prefix}/t/{t}").ToArray();
        var publisherTopics = Enumerable.Range(0, options.Publishers).Select(i => Stride(topics, i, options.Publishers)).ToArray();
        var subscriberFilters = Enumerable.Range(0, options.Subscribers).Select(j => Stride(topics, j, options.Subscribers)).ToArray();
        return new FlowPlan(publisherTopics, subscriberFilters, 1, SharedGroup: false);
    }

    private static string[] Stride(string[] topics, int start, int step)
    {
        var slice = new List<string>((topics.Length / step) + 1);
        for (var t = start; t < topics.Length; t += step)
        {
            slice.Add(topics[t]);
        }

        return [.. slice];
    }
}
