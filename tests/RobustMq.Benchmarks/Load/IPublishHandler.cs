using RobustMq.Protocol.Packets;

namespace RobustMq.Benchmarks.Load;

/// <summary>What a <see cref="LoadClient"/> does with each PUBLISH it receives (called on its read loop).</summary>
public interface IPublishHandler
{
    /// <param name="client">The receiving client.</param>
    /// <param name="packet">The message; the client sends the PUBACK/PUBREC itself.</param>
    /// <param name="receivedAt"><see cref="System.Diagnostics.Stopwatch"/> ticks when its bytes were read.</param>
    void OnPublish(LoadClient client, PublishPacket packet, long receivedAt);
}
