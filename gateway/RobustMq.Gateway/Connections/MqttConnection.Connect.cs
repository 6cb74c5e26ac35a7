using RobustMq.Abstractions.Messages;
using RobustMq.Abstractions.Routing;
using RobustMq.Abstractions.Sessions;
using RobustMq.Gateway.Channel;
using RobustMq.Gateway.Security;
using RobustMq.Gateway.Security.Authentication;
using RobustMq.Protocol;
using RobustMq.Protocol.Packets;
using RobustMq.Protocol.ReasonCodes;

namespace RobustMq.Gateway.Connections;

/// <summary>CONNECT: negotiate limits, attach the session, answer CONNACK.</summary>
public sealed partial class MqttConnection
{
    private uint _sessionExpiry;
    private uint _clientMaxPacketSize;
    private string? _userName;

    /// <summary>Whether the authentication source that let the client in made it a superuser (no ACL check).</summary>
    private bool _superuser;

    /// <summary>The ACL this connection's client is checked against: none for a superuser.</summary>
    private AclRuleSet Acl => _superuser ? AclRuleSet.AllowAll : _services.Acl;

    private async Task HandleConnectAsync(ConnectPacket connect)
    {
        _version = connect.ProtocolVersion;
        var negotiated = ConnectNegotiator.Negotiate(connect, _services.Options);
        if (!negotiated.Accepted)
        {
            RejectConnect(negotiated.Refusal.Value);
            return;
        }

        var clientId = negotiated.ClientId;
        if (!_services.Authenticator.LetsEveryoneIn && !await AuthenticateAsync(connect, clientId))
        {
            return;
        }

        ClientId = clientId;
        _userName = connect.UserName;
        CleanStart = connect.CleanStart;
        _keepAlive.Start(negotiated.KeepAliveSeconds);
        _sessionExpiry = negotiated.SessionExpirySeconds;
        _clientMaxPacketSize = negotiated.ClientMaximumPacketSize;
        _clientTopicAliasMax = negotiated.ClientTopicAliasMaximum;
        _outbound = new OutboundQueue(negotiated.SendWindow, _services.Options.MaxQueuedMessages, _services.Options.BackPressureTimeoutMs > 0);

        var willRecord = ToWill(connect, clientId);
        if (_sessionExpiry != 0)
        {
            // A session that outlives this connection may store what it is sent: publishers wait for that (StoreEarly).
            BeginAttach();
        }

        _services.Registry.Attach(clientId, this);
        ConnectResult result;
        try
        {
            // A session that ends with its connection is served by the connection alone (MqttConnection.CleanSession).
            result = _sessionExpiry == 0 && await TryClaimCleanSessionAsync(clientId, willRecord)
                ? new ConnectResult(false, [], [], [])
                : await _services.Grains.GetGrain<ISessionGrain>(clientId)
                    .Connect(new ConnectRequest(Ref, connect.CleanStart, _sessionExpiry, willRecord, (byte)_version, connect.UserName, RemoteEndPoint))
                    .WaitAsync(_services.GrainTimeout);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogGrainCallFailed(_services.Logger, ex, Ref.ConnectionId, clientId, "session connect");
            FailAttach();
            if (_clean is { } claimed)
            {
                await EndCleanSessionAsync(claimed, clientId);
                _clean = null;
            }

            _services.Registry.Forget(this);
            ClientId = null;
            RejectConnect(new ConnectRefusal(ReasonCode.ServerUnavailable, ConnectReturnCode.ServerUnavailable));
            return;
        }

        if (_clean is null)
        {
            // The session grain answered: this connection serves the session's subscriptions from now on.
            var subscriptions = new Dictionary<string, SubscriptionRecord>(StringComparer.Ordinal);
            foreach (var subscription in result.Subscriptions ?? [])
            {
                subscriptions[subscription.Filter] = subscription;
            }

            _persistent = new SessionRoutes(_services.Grains, _services.ShardWriter, clientId, subscriptions, persistent: true);
            Volatile.Write(ref _subscribed, result.Subscriptions ?? []);
        }

        if (result.InboundQoS2.Length > 0)
        {
            // Created only when needed: most connections never receive a QoS 2 PUBLISH.
            Inbound.Resume(result.InboundQoS2);
        }

        _outbound.EnqueueControl(new ConnAckPacket
        {
            SessionPresent = result.SessionPresent,
            ReasonCode = 0,
            Properties = negotiated.ConnAckProperties,
        });
        // Deliveries that arrived since Attach came through the routes as they were before this CONNECT: those of an
        // ended session (clean start) are not this session's; those of a resumed one were checked for the reader that
        // subscribed, possibly another user name, until the session grain re-decided the read checks.
        // From now on this connection stores its session's QoS 1/2 deliveries (MqttConnection.Storage); those that came
        // early are stored now, and their publishers waited for that.
        var early = StoreEarly(result.QueueSequence, storeEarly: result.SessionPresent);
        PendingMessage[] owed = [];
        var resumed = result.Pending;
        if (!result.SessionPresent)
        {
            owed = early;
        }
        else if (early.Length > 0)
        {
            resumed = [.. result.Pending, .. early];
        }

        _outbound.ResumeSession(Readable(resumed), result.PendingPubRel);
        _outbound.Release();
        ConnectedAt = _services.Clock.GetUtcNow();
        _connected = true;
        _services.Metrics.ConnectionsCurrent.Inc();
        _services.Metrics.ConnectionsTotal.Inc();
        LogClientConnected(clientId, connect.CleanStart);
        Ring();
        if (owed.Length > 0)
        {
            // The old session ended with them; what came through a shared subscription goes to another member.
            await HandOnOwedAsync(owed);
        }
    }

    /// <summary>
    /// Asks the authentication chain (<see cref="Authenticator"/>); false when it refused the client, whose CONNACK is
    /// then on its way. The refusal is logged without the password.
    /// </summary>
    private async ValueTask<bool> AuthenticateAsync(ConnectPacket connect, string clientId)
    {
        var decision = await _services.Authenticator.AuthenticateAsync(
            new AuthRequest(clientId, connect.UserName, connect.Password, RemoteEndPoint, (byte)_version), _closed.Token);
        if (decision.Allowed)
        {
            _services.Metrics.Authentications.WithLabels("allowed").Inc();
            _superuser = decision.Superuser;
            return true;
        }

        _services.Metrics.Authentications.WithLabels(decision.Refusal.Reason switch
        {
            ReasonCode.BadUserNameOrPassword => "bad_credentials",
            ReasonCode.NotAuthorized => "not_authorized",
            _ => "unavailable",
        }).Inc();
        _endReason ??= $"authentication refused ({decision.Source ?? "no source"}): {decision.Reason}";
        LogAuthenticationRefused(_services.Logger, Ref.ConnectionId, clientId, connect.UserName, decision.Source ?? "-", decision.Reason);
        RejectConnect(decision.Refusal);
        return false;
    }

    private void RejectConnect(ConnectRefusal refusal)
    {
        _outbound.EnqueueControl(new ConnAckPacket { ReasonCode = refusal.CodeFor(_version) });
        _closing = true;
        _closeAfterFlush = true;
        Ring();
    }

    private WillRecord? ToWill(ConnectPacket connect, string clientId)
    {
        if (connect.Will is not { } will)
        {
            return null;
        }

        var decision = Acl.Check(AclAction.Publish, will.Topic, clientId, connect.UserName);
        if (!decision.Allowed)
        {
            return null;
        }

        var message = MessageMapping.ToMessage(will.Topic, will.Payload, will.QoS, will.Retain, will.Properties, clientId, _services.Clock.GetUtcNow().ToUnixTimeMilliseconds());
        return new WillRecord(message, will.Properties?.WillDelayInterval ?? 0);
    }
}
