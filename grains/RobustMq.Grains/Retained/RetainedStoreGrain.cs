using RobustMq.Abstractions.Messages;
using RobustMq.Abstractions.Metrics;
using RobustMq.Abstractions.Retained;
using RobustMq.Protocol.Topics;

namespace RobustMq.Grains.Retained;

/// <summary>One shard of retained messages, kept in a topic tree for wildcard lookups.</summary>
// Its state lives only in memory in this version, so it must not be collected while idle.
[KeepAlive]
public sealed class RetainedStoreGrain(TimeProvider clock, IDropCounter drops) : Grain, IRetainedStoreGrain
{
    private readonly TopicTree<BrokerMessage> _messages = new();

    public Task Set(BrokerMessage message)
    {
        if (message.Payload.IsEmpty)
        {
            // MQTT-3.3.1-10/11: an empty retained payload removes the retained message, and is not stored.
            _messages.Remove(message.Topic);
        }
        else
        {
            _messages.Set(message.Topic, message);
        }

        return Task.CompletedTask;
    }

    public Task<BrokerMessage[]> Match(string filter)
    {
        var found = new List<KeyValuePair<string, BrokerMessage>>();
        _messages.MatchFilter(filter, found);
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        var result = new List<BrokerMessage>(found.Count);
        foreach (var (topic, message) in found)
        {
            if (message.IsExpired(now))
            {
                // MQTT-3.3.2-5: an expired retained message is no longer sent, and is discarded here once.
                _messages.Remove(topic);
                drops.Dropped(DropReasons.Expired, 1);
            }
            else
            {
                result.Add(message);
            }
        }

        return Task.FromResult(result.ToArray());
    }

    public Task<int> Count() => Task.FromResult(_messages.Count);
}
