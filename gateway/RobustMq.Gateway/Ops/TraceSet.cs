using System.Net;
using RobustMq.Protocol.Topics;

namespace RobustMq.Gateway.Ops;

/// <summary>
/// The traces running on this node now, immutable: replaced as a whole when one starts or ends, so a connection can
/// keep what it matched (<see cref="Match"/>) for as long as the set is the same object.
/// </summary>
public sealed class TraceSet
{
    public TraceSet(IReadOnlyList<ActiveTrace> running)
    {
        ArgumentNullException.ThrowIfNull(running);
        ByConnection = [.. running.Where(t => t.Spec.Type != TraceSpec.TopicType)];
        ByTopic = [.. running.Where(t => t.Spec.Type == TraceSpec.TopicType)];
    }

    /// <summary>The <c>clientid</c> and <c>ip_address</c> traces: decided once per connection (and client id).</summary>
    public ActiveTrace[] ByConnection { get; }

    /// <summary>The <c>topic</c> traces: decided per PUBLISH, SUBSCRIBE and UNSUBSCRIBE.</summary>
    public ActiveTrace[] ByTopic { get; }

    /// <summary>The <c>clientid</c> and <c>ip_address</c> traces that follow a client of <paramref name="clientId"/> from <paramref name="peer"/> (<c>host:port</c>).</summary>
    public ActiveTrace[] Match(string? clientId, string? peer)
    {
        if (ByConnection.Length == 0)
        {
            return [];
        }

        IPAddress? address = peer is not null && IPEndPoint.TryParse(peer, out var endPoint) ? ActiveTrace.Plain(endPoint.Address) : null;
        return [.. ByConnection.Where(t => t.Spec.Type == TraceSpec.ClientIdType
            ? clientId is not null && string.Equals(t.Spec.Value, clientId, StringComparison.Ordinal)
            : address is not null && address.Equals(t.Address))];
    }

    /// <summary>Whether a topic trace's filter covers <paramref name="topic"/> (a topic name, or a subscription's filter that lies within it).</summary>
    public static bool Covers(ActiveTrace trace, string topic)
    {
        ArgumentNullException.ThrowIfNull(trace);
        if (topic.StartsWith("$share/", StringComparison.Ordinal) && topic.IndexOf('/', 7) is var slash and > 7)
        {
            // A shared subscription: its filter is what follows the group.
            topic = topic[(slash + 1)..];
        }

        return TopicValidator.HasWildcards(topic)
            ? TopicMatcher.IsSubsetOf(topic, trace.Spec.Value)
            : TopicMatcher.Matches(trace.Spec.Value, topic);
    }
}
