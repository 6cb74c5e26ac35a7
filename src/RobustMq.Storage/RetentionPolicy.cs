namespace RobustMq.Storage;

/// <summary>
/// What a shard keeps (<see cref="IStorageEngine.ApplyRetentionAsync"/>): at most <see cref="MaxRecords"/> records,
/// none older than <see cref="MaxAge"/>, at most <see cref="MaxBytes"/> bytes of values; null: no limit of that kind.
/// The newest records are kept.
/// </summary>
public sealed record RetentionPolicy(long? MaxRecords = null, TimeSpan? MaxAge = null, long? MaxBytes = null);
