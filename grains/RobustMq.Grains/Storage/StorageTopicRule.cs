namespace RobustMq.Grains.Storage;

/// <summary>One rule of <c>Storage:Topics</c>: messages of topics matching <see cref="Filter"/> are kept in <see cref="Backend"/>.</summary>
public sealed class StorageTopicRule
{
    /// <summary>An MQTT topic filter (wildcards allowed), e.g. <c>sensors/#</c>.</summary>
    public string Filter { get; set; } = string.Empty;

    public StorageBackend Backend { get; set; } = StorageBackend.RocksDb;
}
