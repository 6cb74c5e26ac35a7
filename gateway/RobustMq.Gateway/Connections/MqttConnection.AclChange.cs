using RobustMq.Abstractions.Sessions;
using RobustMq.Gateway.Channel;
using RobustMq.Gateway.Security;
using RobustMq.Protocol.ReasonCodes;

namespace RobustMq.Gateway.Connections;

/// <summary>The client's rules changed while it is connected (the ACL file, the built-in ACL store), or its session was resumed.</summary>
public sealed partial class MqttConnection
{
    /// <summary>1 once <see cref="AclChanged"/> was called and the rules were not taken again since; the read loop acts on it.</summary>
    private int _aclChanged;

    /// <summary>
    /// The node's ACL file, or the rules of a held ACL source (<see cref="IHeldAclSource"/>), changed: the connection's
    /// read loop is woken to take them (<see cref="ApplyAclChangeAsync"/>) between two reads, so that nothing it
    /// decides runs against half of them. A client still in its CONNECT takes them once it is connected. Safe from any
    /// thread; a superuser, or a closing connection, has nothing to do.
    /// </summary>
    public void AclChanged()
    {
        if (_closing || _superuser)
        {
            return;
        }

        Volatile.Write(ref _aclChanged, 1);
        if (_connected)
        {
            _transport.Input.CancelPendingRead();
        }
    }

    /// <summary>
    /// Takes the file's rules in force and the held sources' rules again, then re-decides each subscription the client
    /// holds (<see cref="ReapplyAclToSubscriptionsAsync"/>); a failure to store that closes the connection (0x80), as at
    /// a resumed session.
    /// </summary>
    private async Task ApplyAclChangeAsync()
    {
        if (!_connected || _superuser || ClientId is not { } clientId || Interlocked.Exchange(ref _aclChanged, 0) == 0)
        {
            return;
        }

        if (_sourceRules is { } fetched)
        {
            _sourceRules = _services.AclSources.Refresh(fetched, clientId, _userName);
            _clientAcl = AclSourceList.Compose(_services.Acl, _sourceRules);
        }

        if (Routes is { Subscriptions.Count: > 0 } && !await ReapplyAclToSubscriptionsAsync(clientId))
        {
            SendDisconnectAndClose(ReasonCode.UnspecifiedError);
        }
    }

    /// <summary>
    /// Re-decides each subscription the client holds for this connection's reader and rules: its user name, whether it
    /// is a superuser (no checks then), and the rules now in force, which may differ from those it subscribed under.
    /// One the rules no longer let it keep (<see cref="SubscribeDecisions.MayKeep"/>) is dropped, routes and record;
    /// the read check of the others is decided again (<see cref="SubscribeDecisions.ResumedNeedsReadCheck"/>). Changes
    /// are stored and routed before this returns; false when that failed.
    /// </summary>
    private async Task<bool> ReapplyAclToSubscriptionsAsync(string clientId)
    {
        var routes = Routes!;
        List<SubscriptionRecord>? changed = null;
        List<string>? dropped = null;
        foreach (var subscription in routes.Subscriptions.Values)
        {
            var context = _aclContext.ForSubscription(subscription.QoS);
            if (!SubscribeDecisions.MayKeep(subscription, Acl, clientId, _userName, context))
            {
                (dropped ??= []).Add(subscription.Filter);
                continue;
            }

            var checkRead = SubscribeDecisions.ResumedNeedsReadCheck(subscription.Filter, Acl, clientId, _userName, context);
            if (subscription.CheckRead != checkRead || subscription.UserName != _userName)
            {
                (changed ??= []).Add(subscription with { CheckRead = checkRead, UserName = _userName });
            }
        }

        if (changed is null && dropped is null)
        {
            return true;
        }

        try
        {
            if (dropped is not null)
            {
                LogSubscriptionsDropped(_services.Logger, Ref.ConnectionId, clientId, string.Join(' ', dropped));
                await UnsubscribeSessionAsync([.. dropped]);
            }

            if (changed is not null)
            {
                if (_persistent is not null)
                {
                    await _services.SessionStore.SaveSubscriptionsAsync(clientId, changed, []).WaitAsync(_services.GrainTimeout);
                }

                await routes.SubscribeAsync(Ref.Node, [.. changed]).WaitAsync(_services.GrainTimeout);
            }

            Volatile.Write(ref _subscribed, [.. routes.Subscriptions.Values]);
            return true;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogGrainCallFailed(_services.Logger, ex, Ref.ConnectionId, clientId, "re-decide subscriptions under changed rules");
            return false;
        }
    }

    [Microsoft.Extensions.Logging.LoggerMessage(EventId = 1014, Level = Microsoft.Extensions.Logging.LogLevel.Information, Message = "Connection {ConnectionId} ({ClientId}): the ACL no longer allows these subscriptions, dropped: {Filters}")]
    private static partial void LogSubscriptionsDropped(Microsoft.Extensions.Logging.ILogger logger, long connectionId, string clientId, string filters);
}
