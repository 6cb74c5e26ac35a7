using System.Text.Json;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using RobustMq.Gateway.Nodes;
using RobustMq.Gateway.Security.Cluster;
using RobustMq.Protocol.Topics;

namespace RobustMq.Gateway.Metrics;

/// <summary>
/// The topics an operator registered for topic metrics (EMQX's topic metrics, <c>/api/v1/topic_metrics</c>): kept in
/// the store (<see cref="ITopicMetricStore"/>, the cluster's when the store is shared), held by every node in
/// <see cref="BrokerMetrics.Topics"/>, and read again when any node changes them (<see cref="INodeControlGrain"/>),
/// every <see cref="StoreFollower.RefreshInterval"/>, and at start. Exact topic names only (a registered topic is found
/// by one dictionary lookup per message), at most <see cref="MaxTopics"/> (EMQX's limit).
/// </summary>
public sealed partial class TopicMetrics(
    ITopicMetricStore? store,
    BrokerMetrics metrics,
    NodeNotices notices,
    TimeProvider clock,
    ILogger<TopicMetrics> logger) : IHostedService, IDisposable
{
    /// <summary>How many topics may be registered (EMQX's <c>max_topic_metrics</c> is 512).</summary>
    public const int MaxTopics = 512;

    private readonly SemaphoreSlim _changing = new(1, 1);
    private StoreFollower? _follower;

    /// <summary>Whether registrations can be stored here.</summary>
    public bool CanStore => store is not null;

    /// <summary>What is wrong with <paramref name="topic"/> as a registration, or null.</summary>
    public static string? Problem(string? topic) =>
        topic is not { Length: > 0 } ? "topic is required"
        : TopicValidator.HasWildcards(topic) ? "topic metrics take a topic name, not a filter (no + or #)"
        : !TopicValidator.IsValidTopicName(topic) ? "topic is not a valid topic name"
        : null;

    /// <summary>Registers <paramref name="topic"/> and has every node count it.</summary>
    /// <returns>Added, Exists, or Full (<see cref="MaxTopics"/> registered already).</returns>
    public async Task<RegisterOutcome> RegisterAsync(string topic, CancellationToken cancellationToken)
    {
        await _changing.WaitAsync(cancellationToken);
        try
        {
            var registered = await Store.ListAsync(cancellationToken);
            if (registered.Any(r => r.Topic == topic))
            {
                return RegisterOutcome.Exists;
            }

            if (registered.Count >= MaxTopics)
            {
                return RegisterOutcome.Full;
            }

            await Store.PutAsync(new TopicRegistration(topic, clock.GetUtcNow()), cancellationToken);
        }
        finally
        {
            _changing.Release();
        }

        await notices.TellAllAsync(TellChanged);
        return RegisterOutcome.Added;
    }

    /// <summary>Unregisters <paramref name="topic"/> on every node; false when it was not registered.</summary>
    public async Task<bool> UnregisterAsync(string topic, CancellationToken cancellationToken)
    {
        if (!await Store.DeleteAsync(topic, cancellationToken))
        {
            return false;
        }

        await notices.TellAllAsync(TellChanged);
        return true;
    }

    /// <summary>The registrations in the store.</summary>
    public Task<IReadOnlyList<TopicRegistration>> ListAsync(CancellationToken cancellationToken) => Store.ListAsync(cancellationToken);

    /// <summary>This node's counts of every registered topic.</summary>
    public TopicCounts[] Counts() => [.. metrics.Topics.All.Select(c => c.Snapshot())];

    /// <summary>Reads the registrations again into <see cref="BrokerMetrics.Topics"/>.</summary>
    public async Task ReloadAsync(CancellationToken cancellationToken = default)
    {
        if (store is null)
        {
            return;
        }

        var registered = await store.ListAsync(cancellationToken);
        metrics.Topics.Replace([.. registered.Select(r => (r.Topic, r.CreatedAt))]);
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (store is null)
        {
            return;
        }

        _follower = await StoreFollower.StartAsync(notices, clock, "Topic metrics", ReloadAsync, TellChanged, ex => LogReloadFailed(logger, ex), cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => _follower?.StopAsync(cancellationToken) ?? Task.CompletedTask;

    public void Dispose()
    {
        _follower?.Dispose();
        _changing.Dispose();
    }

    private ITopicMetricStore Store => store ?? throw new InvalidOperationException("this host has no topic metrics store");

    private static Task TellChanged(INodeControlGrain node) => node.TopicMetricsChanged();

    [LoggerMessage(EventId = 7004, Level = LogLevel.Warning, Message = "Topic metrics: the registrations could not be read; those in force stay until the next refresh")]
    private static partial void LogReloadFailed(ILogger logger, Exception ex);

    /// <summary>What <see cref="RegisterAsync"/> did.</summary>
    public enum RegisterOutcome
    {
        Added,
        Exists,
        Full,
    }
}

/// <summary>A topic registered for topic metrics, and when.</summary>
public sealed record TopicRegistration(string Topic, DateTimeOffset CreatedAt)
{
    /// <summary>The stored value: <c>{"create_time": ISO 8601}</c>.</summary>
    public byte[] Encode() => JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, DateTimeOffset> { ["create_time"] = CreatedAt });

    /// <summary>Reads a stored value.</summary>
    /// <exception cref="FormatException">Not a registration.</exception>
    public static TopicRegistration Decode(string topic, byte[] value)
    {
        try
        {
            var fields = JsonSerializer.Deserialize<Dictionary<string, DateTimeOffset>>(value);
            return fields is not null && fields.TryGetValue("create_time", out var created)
                ? new TopicRegistration(topic, created)
                : throw new FormatException("no create_time");
        }
        catch (JsonException ex)
        {
            throw new FormatException(ex.Message, ex);
        }
    }
}

/// <summary>Where topic metrics registrations are kept (the node's state storage engine: keyed space <see cref="Space"/>, key the topic).</summary>
public interface ITopicMetricStore
{
    /// <summary>The keyed storage space of the registrations.</summary>
    const string Space = "topic_metrics";

    /// <summary>Every registration, by topic.</summary>
    Task<IReadOnlyList<TopicRegistration>> ListAsync(CancellationToken cancellationToken = default);

    /// <summary>Stores <paramref name="registration"/>; completes once durable.</summary>
    Task PutAsync(TopicRegistration registration, CancellationToken cancellationToken = default);

    /// <summary>Deletes the registration of <paramref name="topic"/>; true when there was one.</summary>
    Task<bool> DeleteAsync(string topic, CancellationToken cancellationToken = default);
}
