using RobustMq.Abstractions.Messages;
using RobustMq.Abstractions.Sessions;

namespace RobustMq.Abstractions.Routing;

/// <summary>
/// The node-local publish path (a service on every silo, not a grain): stores or clears the retained
/// message and delivers to every matching subscriber from the node's route cache.
/// </summary>
public interface IMessageRouter
{
    /// <summary>
    /// How many times one message may be handed on from member to member of its group; owed once more, it is dropped
    /// (<c>hand_on_limit</c>). Bounds the chain of grain calls when members' sessions are gone but their routes are not.
    /// </summary>
    const int MaxHandOns = 3;

    /// <summary>Publish; returns the number of subscribers matched.</summary>
    /// <exception cref="MessageNotStoredException">A retained message whose store write failed: nothing was routed.</exception>
    ValueTask<int> PublishAsync(BrokerMessage message, CancellationToken cancellationToken = default);

    /// <summary>
    /// The session of <paramref name="fromClientId"/> ended (or left a shared subscription) owing these messages, not
    /// acknowledged (QoS 2 messages whose PUBREC came are not among them: they were delivered). Those that came through
    /// a shared subscription go to another member of the same group, picked by the configured strategy (MQTT 5
    /// section 4.8.2); the rest end with the session. A message is never handed back to a member it was already handed
    /// on from (<see cref="PendingMessage.HandedOnFrom"/>), and not more than <see cref="MaxHandOns"/> times. Every
    /// message not handed on is counted as dropped (expired, no other member, hand-on limit, session ended, a grain
    /// call that failed). Returns how many were handed on.
    /// </summary>
    ValueTask<int> HandOnOwedAsync(string fromClientId, PendingMessage[] owed, CancellationToken cancellationToken = default);
}
