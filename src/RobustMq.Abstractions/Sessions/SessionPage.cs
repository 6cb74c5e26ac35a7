namespace RobustMq.Abstractions.Sessions;

/// <summary>A session-directory shard's answer to a <see cref="SessionQuery"/>: how many entries match, and the first of them in its order.</summary>
/// <param name="Matched">The entries the shard matches.</param>
/// <param name="Entries">The first <see cref="SessionQuery.Take"/> of them, sorted (<see cref="SessionQuery.Order"/>).</param>
[GenerateSerializer, Immutable, Alias("robustmq.sessionpage.v1")]
public sealed record SessionPage([property: Id(0)] int Matched, [property: Id(1)] SessionDirectoryEntry[] Entries);
