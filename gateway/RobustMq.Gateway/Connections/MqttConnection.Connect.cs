using RobustMq.Abstractions.Messages;
using RobustMq.Abstractions.Routing;
using RobustMq.Abstractions.Sessions;
using RobustMq.Gateway.Channel;
using RobustMq.Gateway.Listeners;
using RobustMq.Gateway.Security;
using RobustMq.Gateway.Security.Authentication;
using RobustMq.Gateway.Security.Blacklist;
using RobustMq.Protocol;
using RobustMq.Protocol.Packets;
using RobustMq.Protocol.Properties;
using RobustMq.Protocol.ReasonCodes;

namespace RobustMq.Gateway.Connections;

/// <summary>CONNECT: negotiate limits, attach the session, answer CONNACK.</summary>
public sealed partial class MqttConnection
{
    private uint _sessionExpiry;
    private uint _clientMaxPacketSize;
    private string? _userName;

    /// <summary>The client certificate the TLS handshake verified, or null.</summary>
    private readonly PeerCertificate? _peerCertificate;

    /// <summary>Whether the authentication source that let the client in made it a superuser (no ACL check).</summary>
    private bool _superuser;

    /// <summary>The client's own rules from <c>Acl:Sources</c> before the file's, fetched at CONNECT; null: the file's alone.</summary>
    private AclRuleSet? _clientAcl;

    /// <summary>The client's rules per source of <c>Acl:Sources</c>, as fetched at CONNECT (held sources' asked again on a change).</summary>
    private IReadOnlyList<AclRule>[]? _sourceRules;

    /// <summary>The client's address for the rules' conditions, set at CONNECT.</summary>
    private AclContext _aclContext;

    /// <summary>The ACL this connection's client is checked against: none for a superuser.</summary>
    private AclRuleSet Acl => _superuser ? AclRuleSet.AllowAll : _clientAcl ?? _services.Acl;

    private async Task HandleConnectAsync(ConnectPacket connect)
    {
        _version = connect.ProtocolVersion;
        var negotiated = ConnectNegotiator.Negotiate(connect, _services.Options, _services.EnhancedAuth.Methods);
        if (!negotiated.Accepted)
        {
            RejectConnect(negotiated.Refusal.Value);
            return;
        }

        if (negotiated.AuthenticationMethod is not null)
        {
            // MqttConnection.EnhancedAuth: the exchange runs first and goes on with AcceptConnectAsync once it succeeded.
            await BeginEnhancedAuthAsync(connect, negotiated);
            return;
        }

        await AcceptConnectAsync(connect, negotiated, enhanced: false);
    }

    /// <summary>
    /// An accepted CONNECT from the blacklist on: <paramref name="enhanced"/> when an enhanced authentication exchange
    /// proved its user (who is then its User Name, and the <c>Auth:Sources</c> chain is not asked).
    /// </summary>
    private async Task AcceptConnectAsync(ConnectPacket connect, ConnectNegotiation negotiated, bool enhanced)
    {
        var clientId = negotiated.ClientId!;
        if (!enhanced && _peerCertificate is { NamesUser: true } named)
        {
            // Listeners:…:PeerCertAsUsername: the certificate names the user, whatever the CONNECT said (no name when
            // the certificate has none of that part: never one the client chose).
            connect.UserName = named.UserName;
        }

        if (IsBanned(connect, clientId))
        {
            return;
        }

        _aclContext = new AclContext(AclContext.Normalize(BlacklistService.PeerAddress(RemoteEndPoint)));

        if (!enhanced && !_services.Authenticator.LetsEveryoneIn && !await AuthenticateAsync(connect, clientId))
        {
            return;
        }

        // Counted once the chain let the client in: CONNECTs with a client id and no credentials cannot ban its owner.
        if (_services.Flapping.Options.Enabled && await IsFlappingAsync(clientId))
        {
            return;
        }

        if (_services.AclSources.Sources.Count > 0 && !_superuser && !await LoadClientAclAsync(connect, clientId))
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

        var readChecksFailed = false;
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
            readChecksFailed = subscriptions.Count > 0 && !await ReapplyAclToSubscriptionsAsync(clientId);
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
        if (!result.SessionPresent)
        {
            _services.Metrics.SessionsCreated.Inc();
        }

        _services.SysEvents.Connected(this);
        LogClientConnected(clientId, connect.CleanStart);
        Ring();
        if (readChecksFailed)
        {
            // Its subscriptions may deliver what this reader may not read: closed, the session handed back as it is.
            SendDisconnectAndClose(ReasonCode.UnspecifiedError);
            return;
        }

        if (owed.Length > 0)
        {
            // The old session ended with them; what came through a shared subscription goes to another member.
            await HandOnOwedAsync(owed);
        }

        // Rules that changed while this CONNECT was on its way (AclChanged does not wake a loop still connecting).
        await ApplyAclChangeAsync();
    }

    /// <summary>
    /// Whether a ban of the blacklist covers the client (its client id, user name or address): it is then refused with
    /// CONNACK 0x8A Banned (MQTT 5) or return code 5 Not Authorized (3.1.x).
    /// </summary>
    private bool IsBanned(ConnectPacket connect, string clientId)
    {
        if (_services.Blacklist.Check(clientId, connect.UserName, RemoteEndPoint) is not { } ban)
        {
            return false;
        }

        RefuseBanned(clientId, $"banned: {ban.Kind} '{ban.Value}' ({ban.Reason ?? "no reason given"})");
        return true;
    }

    /// <summary>
    /// Counts the CONNECT (<see cref="FlappingDetector"/>); the one past <c>Flapping:MaxConnects</c> in
    /// <c>Flapping:WindowSeconds</c> bans the client id for <c>Flapping:BanSeconds</c> on every node and is refused as banned.
    /// </summary>
    private async ValueTask<bool> IsFlappingAsync(string clientId)
    {
        var now = _services.Clock.GetUtcNow().ToUnixTimeMilliseconds();
        if (!_services.Flapping.Connected(clientId, now))
        {
            return false;
        }

        var options = _services.Flapping.Options;
        var reason = $"flapping: more than {options.MaxConnects} CONNECTs in {options.WindowSeconds} s";
        if (_services.Blacklist.CanStore && Ban.Problem(Ban.ClientId, clientId) is null)
        {
            try
            {
                await _services.Blacklist.AddAsync(new Ban(Ban.ClientId, clientId, reason, now + (options.BanSeconds * 1000L), now), CancellationToken.None);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogGrainCallFailed(_services.Logger, ex, Ref.ConnectionId, clientId, "ban a flapping client");
            }
        }

        RefuseBanned(clientId, reason);
        return true;
    }

    private void RefuseBanned(string clientId, string reason)
    {
        _services.Metrics.Authentications.WithLabels("banned").Inc();
        _endReason ??= reason;
        LogAuthenticationRefused(_services.Logger, Ref.ConnectionId, clientId, null, "blacklist", reason);
        RejectConnect(new ConnectRefusal(ReasonCode.Banned, ConnectReturnCode.NotAuthorized));
    }

    /// <summary>
    /// Asks the authentication chain (<see cref="Authenticator"/>); false when it refused the client, whose CONNACK is
    /// then on its way. The refusal is logged without the password.
    /// </summary>
    private async ValueTask<bool> AuthenticateAsync(ConnectPacket connect, string clientId)
    {
        var request = new AuthRequest(clientId, connect.UserName, connect.Password is { } password ? password : null, RemoteEndPoint, (byte)_version, _peerCertificate?.Subject, _peerCertificate is { NamesUser: true } ? connect.UserName : null);
        AuthDecision decision;
        try
        {
            // A source that hangs is given as long as a grain call: then the client hears 0x88, not a silent close.
            decision = await _services.Authenticator.AuthenticateAsync(request, _closed.Token).AsTask().WaitAsync(_services.GrainTimeout);
        }
        catch (TimeoutException)
        {
            decision = AuthDecision.Refuse(ReasonCode.ServerUnavailable, ConnectReturnCode.ServerUnavailable, "authentication did not answer in time", null);
        }

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

    /// <summary>
    /// The client's rules from <c>Acl:Sources</c>, held for the connection; false when a source could not give them
    /// (the client is then refused with 0x88 Server unavailable, 3 on 3.1.x: a rule that could not be read might deny).
    /// </summary>
    private async ValueTask<bool> LoadClientAclAsync(ConnectPacket connect, string clientId)
    {
        try
        {
            _sourceRules = await _services.AclSources.FetchAsync(clientId, connect.UserName, RemoteEndPoint, _closed.Token)
                .AsTask().WaitAsync(_services.GrainTimeout);
            _clientAcl = AclSourceList.Compose(_services.Acl, _sourceRules);
            return true;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !_closed.IsCancellationRequested)
        {
            // Whatever went wrong (a store down, a row that is not a rule, a client library's own exception): refused.
            _endReason ??= "ACL rules could not be read: " + ex.Message;
            LogAuthenticationRefused(_services.Logger, Ref.ConnectionId, clientId, connect.UserName, "acl", ex.Message);
            RejectConnect(new ConnectRefusal(ReasonCode.ServerUnavailable, ConnectReturnCode.ServerUnavailable));
            return false;
        }
    }

    private void RejectConnect(ConnectRefusal refusal, MqttProperties? properties = null)
    {
        _outbound.EnqueueControl(new ConnAckPacket { ReasonCode = refusal.CodeFor(_version), Properties = properties });
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

        var decision = Acl.Check(AclAction.Publish, will.Topic, clientId, connect.UserName, _aclContext with { QoS = (int)will.QoS, Retain = will.Retain });
        if (!decision.Allowed)
        {
            return null;
        }

        var message = MessageMapping.ToMessage(will.Topic, will.Payload, will.QoS, will.Retain, will.Properties, clientId, _services.Clock.GetUtcNow().ToUnixTimeMilliseconds(), arrived: false);
        return new WillRecord(message, will.Properties?.WillDelayInterval ?? 0);
    }
}
