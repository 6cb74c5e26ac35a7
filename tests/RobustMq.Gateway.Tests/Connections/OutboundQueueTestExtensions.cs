using RobustMq.Abstractions.Sessions;
using RobustMq.Gateway.Connections;

namespace RobustMq.Gateway.Tests.Connections;

/// <summary>The queue's calls as most tests make them (no stored deliveries to collect).</summary>
internal static class OutboundQueueTestExtensions
{
    public static int Drain(this OutboundQueue queue, List<OutItem> batch, long nowUnixMs)
    {
        List<PendingMessage>? expiredStored = null;
        return queue.Drain(batch, nowUnixMs, ref expiredStored);
    }
}
