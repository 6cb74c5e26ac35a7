using System.Globalization;
using RobustMq.Abstractions.Metrics;
using RobustMq.Gateway.Metrics;

namespace RobustMq.Gateway.Sys;

/// <summary>The values of the <c>$SYS/brokers/{node}/...</c> tree at one tick (names relative to that prefix).</summary>
public sealed class SysTree(BrokerMetrics metrics, NodeStats current, NodeStats max, int connections, int routes)
{
    /// <summary>Every topic of the tree and its value, in a stable order.</summary>
    public IEnumerable<(string Name, string Value)> Values(string version, long uptimeSeconds, DateTimeOffset now)
    {
        metrics.SyncDerived();
        yield return ("version", "RobustMq.Orleans " + version);
        yield return ("uptime", N(uptimeSeconds));
        yield return ("datetime", now.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture));
        yield return ("sysdescr", "RobustMq.Orleans, a clustered MQTT broker on Microsoft Orleans");

        // Earlier names of this broker, kept.
        yield return ("clients/connected", N(connections));
        yield return ("messages/received", N(metrics.MessagesReceived.Value));
        yield return ("messages/sent", N(metrics.MessagesSent.Value));
        yield return ("subscriptions/count", N(routes));

        foreach (var (name, count, most) in new[]
        {
            ("connections", current.Connections, max.Connections),
            ("sessions", current.Sessions, max.Sessions),
            ("topics", current.Topics, max.Topics),
            ("routes", current.Routes, max.Routes),
            ("subscribers", current.Subscribers, max.Subscribers),
            ("subscriptions", current.Subscriptions, max.Subscriptions),
            ("subscriptions/shared", current.SharedSubscriptions, max.SharedSubscriptions),
            ("suboptions", current.Subscriptions, max.Subscriptions),
            ("retained", current.Retained, max.Retained),
        })
        {
            yield return ($"stats/{name}/count", N(count));
            yield return ($"stats/{name}/max", N(most));
        }

        yield return ("metrics/bytes/received", N(metrics.BytesReceived.Value));
        yield return ("metrics/bytes/sent", N(metrics.BytesSent.Value));

        yield return ("metrics/messages/received", N(metrics.MessagesReceived.Value));
        yield return ("metrics/messages/sent", N(metrics.MessagesSent.Value));
        yield return ("metrics/messages/dropped", N(Sum(metrics.MessagesDropped)));
        yield return ("metrics/messages/retained", N(metrics.RetainReceived.Value));
        yield return ("metrics/messages/expired", N(metrics.MessagesDropped.WithLabels(DropReasons.Expired).Value));
        yield return ("metrics/messages/forward", N(metrics.MessagesForwarded.Value));
        for (var qos = 0; qos <= 2; qos++)
        {
            var q = qos.ToString(CultureInfo.InvariantCulture);
            yield return ($"metrics/messages/qos{q}/received", N(metrics.MessagesReceivedByQoS.WithLabels(q).Value));
            yield return ($"metrics/messages/qos{q}/sent", N(metrics.MessagesSentByQoS.WithLabels(q).Value));
        }

        yield return ("metrics/messages/qos2/expired", N(metrics.MessagesExpiredByQoS.WithLabels("2").Value));
        yield return ("metrics/messages/qos2/dropped", N(metrics.MessagesDroppedByQoS.WithLabels("2").Value));

        yield return ("metrics/packets/received", N(Sum(metrics.PacketsReceived)));
        yield return ("metrics/packets/sent", N(Sum(metrics.PacketsSent)));
        foreach (var received in new[] { "connect", "subscribe", "unsubscribe", "pingreq", "auth" })
        {
            yield return ($"metrics/packets/{received}", N(metrics.PacketsReceived.WithLabels(received).Value));
        }

        foreach (var sent in new[] { "connack", "suback", "unsuback", "pingresp" })
        {
            yield return ($"metrics/packets/{sent}", N(metrics.PacketsSent.WithLabels(sent).Value));
        }

        foreach (var both in new[] { "publish", "puback", "pubrec", "pubrel", "pubcomp", "disconnect" })
        {
            yield return ($"metrics/packets/{both}/received", N(metrics.PacketsReceived.WithLabels(both).Value));
            yield return ($"metrics/packets/{both}/sent", N(metrics.PacketsSent.WithLabels(both).Value));
            if (both is "puback" or "pubrec" or "pubrel" or "pubcomp")
            {
                yield return ($"metrics/packets/{both}/missed", N(metrics.PacketsMissed.WithLabels(both).Value));
            }
        }
    }

    private static string N(double value) => ((long)value).ToString(CultureInfo.InvariantCulture);

    private static double Sum(Prometheus.Counter counter)
    {
        var sum = 0.0;
        foreach (var labels in counter.GetAllLabelValues())
        {
            sum += counter.WithLabels(labels).Value;
        }

        return sum;
    }
}
