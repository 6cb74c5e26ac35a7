namespace RobustMq.Abstractions.Sessions;

/// <summary>
/// What closing a connection whose session a new CONNECT takes over gave (<c>INodeDispatcherGrain.TakeOver</c>):
/// whether the connection was there and closed, and what it owed its client (<see cref="HandBack"/>: unacknowledged
/// messages with their packet ids, PUBREL ids, inbound QoS 2 ids), null when it could not hand that over in time and
/// hands it to the session grain itself (<c>ISessionGrain.Disconnect</c>) as before. <see cref="AlsoToGrain"/>: the
/// connection was already handing the same to the session grain when the takeover came, and that call still comes
/// (the grain leaves out of it what it took here).
/// </summary>
[GenerateSerializer, Immutable, Alias("robustmq.takeover.v1")]
public sealed record TakeoverResult(
    [property: Id(0)] bool Closed,
    [property: Id(1)] DisconnectRequest? HandBack,
    [property: Id(2)] bool AlsoToGrain = false);
