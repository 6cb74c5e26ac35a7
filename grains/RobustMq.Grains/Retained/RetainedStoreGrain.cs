using System.Globalization;
using Microsoft.Extensions.Logging;
using RobustMq.Abstractions.Messages;
using RobustMq.Abstractions.Metrics;
using RobustMq.Abstractions.Retained;
using RobustMq.Grains.Storage;
using RobustMq.Protocol.Topics;
using RobustMq.Storage;

namespace RobustMq.Grains.Retained;

/// <summary>
/// One shard of retained messages, kept in a topic tree for wildcard lookups and written through to storage: each
/// retained message is a keyed record (space <c>retained</c>, key <c>{shard:00}/{topic}</c>, value
/// <see cref="MessageRecord"/>) in the engine of its topic, stored before <see cref="Set"/> returns, so a retained
/// publish is acknowledged only once it is stored. The shard loads its records when it activates. <c>$SYS/</c> topics
/// are the broker's own state of the moment and are not stored; nor is a topic too long for a storage key (more than
/// 65,532 bytes of UTF-8, <see cref="StorageNames.MaxKeyBytes"/>), which is kept in memory only.
/// </summary>
// Kept active: every SUBSCRIBE with retained handling asks each shard, and reloading a shard costs a scan.
[KeepAlive]
public sealed partial class RetainedStoreGrain(TimeProvider clock, IDropCounter drops, StorageEngines storage, ILogger<RetainedStoreGrain> logger) : Grain, IRetainedStoreGrain
{
    /// <summary>The keyed space of retained messages.</summary>
    public const string Space = "retained";

    private readonly TopicTree<BrokerMessage> _messages = new();

    /// <summary>The storage key of <paramref name="topic"/> in <paramref name="shard"/>.</summary>
    public static string KeyOf(long shard, string topic) => Prefix(shard) + topic;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var prefix = Prefix(this.GetPrimaryKeyLong());
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        foreach (var engine in storage.InUse())
        {
            var expired = new StorageBatch();
            await foreach (var entry in engine.ScanAsync(Space, prefix, cancellationToken))
            {
                var message = MessageRecord.Decode(entry.Value);
                if (message.IsExpired(now))
                {
                    expired.Delete(Space, entry.Key);
                    drops.Dropped(DropReasons.Expired, 1);
                }
                else if (ReferenceEquals(storage.ForTopic(message.Topic), engine))
                {
                    // A record left in another engine by an earlier Storage:Topics rule is not the topic's current one.
                    _messages.Set(message.Topic, message);
                }
            }

            if (!expired.IsEmpty)
            {
                await engine.WriteAsync(expired, cancellationToken);
            }
        }
    }

    public async Task<StoreOutcome> Set(BrokerMessage message)
    {
        if (IsStored(message.Topic))
        {
            var key = KeyOf(this.GetPrimaryKeyLong(), message.Topic);
            var batch = message.Payload.IsEmpty ? new StorageBatch().Delete(Space, key) : new StorageBatch().Put(Space, key, MessageRecord.Encode(message));
            try
            {
                await storage.ForTopic(message.Topic).WriteAsync(batch);
            }
            catch (StorageException ex)
            {
                // Not stored, not changed: the publisher is told (PUBACK 0x97/0x80, or a close on 3.1.x).
                LogNotStored(logger, ex, message.Topic, ex.Kind);
                return ex.Kind == StorageErrorKind.Full ? StoreOutcome.Full : StoreOutcome.Unavailable;
            }
        }

        if (message.Payload.IsEmpty)
        {
            // MQTT-3.3.1-10/11: an empty retained payload removes the retained message, and is not stored.
            _messages.Remove(message.Topic);
        }
        else
        {
            _messages.Set(message.Topic, message);
        }

        return StoreOutcome.Stored;
    }

    public Task<BrokerMessage[]> Match(string filter) => MatchOne(filter);

    public async Task<BrokerMessage[][]> MatchMany(string[] filters)
    {
        var results = new BrokerMessage[filters.Length][];
        for (var i = 0; i < filters.Length; i++)
        {
            results[i] = await MatchOne(filters[i]);
        }

        return results;
    }

    private async Task<BrokerMessage[]> MatchOne(string filter)
    {
        var found = new List<KeyValuePair<string, BrokerMessage>>();
        _messages.MatchFilter(filter, found);
        if (found.Count == 0)
        {
            return [];
        }

        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        var result = new List<BrokerMessage>(found.Count);
        foreach (var (topic, message) in found)
        {
            if (message.IsExpired(now))
            {
                // MQTT-3.3.2-5: an expired retained message is no longer sent, and is discarded here once.
                _messages.Remove(topic);
                drops.Dropped(DropReasons.Expired, 1);
                if (IsStored(topic))
                {
                    await storage.ForTopic(topic).WriteAsync(new StorageBatch().Delete(Space, KeyOf(this.GetPrimaryKeyLong(), topic)));
                }
            }
            else
            {
                result.Add(message);
            }
        }

        return [.. result];
    }

    public async Task<RetainedPage> Query(RetainedQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        return query.Answer(await MatchOne(query.Filter));
    }

    public Task<int> Count() => Task.FromResult(_messages.Count);

    private static bool IsStored(string topic) =>
        !topic.StartsWith("$SYS/", StringComparison.Ordinal)
        && (topic.Length <= StorageNames.MaxKeyBytes / 3 - 3 || System.Text.Encoding.UTF8.GetByteCount(topic) <= StorageNames.MaxKeyBytes - 3);

    [LoggerMessage(EventId = 2101, Level = LogLevel.Warning, Message = "The retained message to {Topic} was not stored ({Kind})")]
    private static partial void LogNotStored(ILogger logger, Exception ex, string topic, StorageErrorKind kind);

    private static string Prefix(long shard) => shard.ToString("00", CultureInfo.InvariantCulture) + "/";
}
