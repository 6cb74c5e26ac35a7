using RobustMq.Gateway.Metrics;
using RobustMq.Grains.Storage;
using RobustMq.Storage;

namespace RobustMq.Silo.Hosting;

/// <summary>
/// Topic metrics registrations (<see cref="ITopicMetricStore"/>) in the node's state storage engine
/// (<c>Storage:Default</c>): keyed space <see cref="ITopicMetricStore.Space"/>, key the topic, value
/// <c>{"create_time"}</c>. With <c>Cluster:Mode=AdoNet</c> that engine is the cluster's PostgreSQL, so every node counts the same topics.
/// </summary>
internal sealed partial class StoredTopicMetrics(StorageEngines storage, ILogger<StoredTopicMetrics> logger) : ITopicMetricStore
{
    public async Task<IReadOnlyList<TopicRegistration>> ListAsync(CancellationToken cancellationToken = default)
    {
        var registrations = new List<TopicRegistration>();
        await foreach (var entry in storage.ForState().ScanAsync(ITopicMetricStore.Space, "", cancellationToken))
        {
            try
            {
                registrations.Add(TopicRegistration.Decode(entry.Key, entry.Value));
            }
            catch (FormatException ex)
            {
                LogUnreadable(logger, entry.Key, ex.Message);
            }
        }

        return registrations;
    }

    public async Task PutAsync(TopicRegistration registration, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(registration);
        await storage.ForState().WriteAsync(new StorageBatch().Put(ITopicMetricStore.Space, registration.Topic, registration.Encode()), cancellationToken);
    }

    public Task<bool> DeleteAsync(string topic, CancellationToken cancellationToken = default) =>
        KeyedSpace.DeleteIfPresentAsync(storage.ForState(), ITopicMetricStore.Space, topic, cancellationToken);

    [LoggerMessage(EventId = 7005, Level = LogLevel.Warning, Message = "Topic metrics: record '{Key}' cannot be read and is left out: {Problem}")]
    private static partial void LogUnreadable(ILogger logger, string key, string problem);
}
