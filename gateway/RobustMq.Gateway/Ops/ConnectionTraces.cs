namespace RobustMq.Gateway.Ops;

/// <summary>What one connection matched of a <see cref="TraceSet"/> (kept while the set and its client id stay the same).</summary>
internal sealed class ConnectionTraces(TraceSet set, string? clientId, ActiveTrace[] matched)
{
    public TraceSet Set { get; } = set;

    public string? ClientId { get; } = clientId;

    public ActiveTrace[] Matched { get; } = matched;
}
