using RobustMq.Abstractions.Messages;
using RobustMq.Abstractions.Sessions;
using RobustMq.Gateway.Security;
using RobustMq.Protocol;
using RobustMq.Protocol.Packets;
using RobustMq.Protocol.Properties;
using RobustMq.Protocol.ReasonCodes;
using RobustMq.Protocol.Topics;

namespace RobustMq.Gateway.Connections;

/// <summary>CONNECT: negotiate limits, attach the session, answer CONNACK.</summary>
public sealed partial class MqttConnection
{
    private int _keepAlive;
    private uint _sessionExpiry;
    private uint _clientMaxPacketSize;
    private string? _userName;

    private async Task HandleConnectAsync(ConnectPacket connect)
    {
        _version = connect.ProtocolVersion;
        var options = _services.Options;
        var v5 = _version == MqttProtocolVersion.V500;
        var props = connect.Properties;

        if (props?.AuthenticationMethod is not null)
        {
            // Enhanced authentication is not offered.
            RejectConnect(ReasonCode.BadAuthenticationMethod, ConnectReturnCode.NotAuthorized);
            return;
        }

        var clientId = connect.ClientId;
        string? assigned = null;
        if (clientId.Length == 0)
        {
            // MQTT-3.1.3-8: a 3.1.1 client with an empty id must ask for a clean session.
            if (!v5 && (!connect.CleanStart || _version == MqttProtocolVersion.V310))
            {
                RejectConnect(ReasonCode.ClientIdentifierNotValid, ConnectReturnCode.IdentifierRejected);
                return;
            }

            clientId = assigned = "auto-" + Guid.NewGuid().ToString("N");
        }

        if (connect.Will is { } will)
        {
            if (!TopicValidator.IsValidTopicName(will.Topic))
            {
                RejectConnect(ReasonCode.TopicNameInvalid, ConnectReturnCode.NotAuthorized);
                return;
            }

            if ((int)will.QoS > options.MaximumQoS)
            {
                RejectConnect(ReasonCode.QoSNotSupported, ConnectReturnCode.NotAuthorized);
                return;
            }

            if (will.Retain && !options.RetainAvailable)
            {
                RejectConnect(ReasonCode.RetainNotSupported, ConnectReturnCode.NotAuthorized);
                return;
            }
        }

        ClientId = clientId;
        _userName = connect.UserName;
        CleanStart = connect.CleanStart;
        var connAckProps = v5 ? new MqttProperties() : null;

        _keepAlive = connect.KeepAlive;
        if (v5 && (_keepAlive > options.MaxKeepAlive || (_keepAlive == 0 && options.MaxKeepAlive < MqttOptionsKeepAliveOff)))
        {
            // MQTT 5 lets the server choose the keep-alive (Server Keep Alive); 3.1.x clients keep their own.
            _keepAlive = options.MaxKeepAlive;
            connAckProps!.ServerKeepAlive = (ushort)_keepAlive;
        }

        var maxExpiry = (uint)Math.Min(options.MaxSessionExpiry, uint.MaxValue);
        if (v5)
        {
            _sessionExpiry = props?.SessionExpiryInterval ?? 0;
            if (_sessionExpiry > maxExpiry)
            {
                _sessionExpiry = maxExpiry;
                connAckProps!.SessionExpiryInterval = maxExpiry;
            }
        }
        else
        {
            _sessionExpiry = connect.CleanStart ? 0 : maxExpiry;
        }

        _clientMaxPacketSize = props?.MaximumPacketSize ?? 0;
        _clientTopicAliasMax = props?.TopicAliasMaximum ?? 0;
        var window = Math.Min(props?.ReceiveMaximum ?? ushort.MaxValue, options.MaxInflight);
        _outbound = new OutboundQueue(Math.Max(1, window), options.MaxQueuedMessages);

        var willRecord = ToWill(connect, clientId);
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
            if (_clean is { } claimed)
            {
                await EndCleanSessionAsync(claimed, clientId);
                _clean = null;
            }

            _services.Registry.Forget(this);
            ClientId = null;
            RejectConnect(ReasonCode.ServerUnavailable, ConnectReturnCode.ServerUnavailable);
            return;
        }

        if (result.InboundQoS2.Length > 0)
        {
            _inboundQoS2 = [.. result.InboundQoS2];
        }

        if (v5)
        {
            FillConnAckProperties(connAckProps!, props, assigned, clientId);
        }

        _outbound.EnqueueControl(new ConnAckPacket
        {
            SessionPresent = result.SessionPresent,
            ReasonCode = 0,
            Properties = connAckProps,
        });
        // Deliveries that arrived since Attach came through the routes as they were before this CONNECT: those of an
        // ended session (clean start) are not this session's; those of a resumed one were checked for the reader that
        // subscribed, possibly another user name, until the session grain re-decided the read checks.
        var early = _outbound.TakeQueued();
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

        // From now on this connection stores its session's QoS 1/2 deliveries (MqttConnection.Storage), those that came
        // early included (their publishers did not wait for that: a crash in the moment of the CONNECT may lose them).
        Volatile.Write(ref _queueSequence, result.QueueSequence);
        if (result.QueueSequence != 0 && !ReferenceEquals(resumed, result.Pending))
        {
            for (var i = result.Pending.Length; i < resumed.Length; i++)
            {
                resumed[i] = Store(resumed[i], out var stored);
                if (!stored.IsCompletedSuccessfully)
                {
                    _ = LogIfFailedAsync(stored, "storing a delivery that came during the CONNECT");
                }
            }
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

    /// <summary>A keep-alive of 0 means "no keep-alive"; only an operator maximum below this turns that into a limit.</summary>
    private const int MqttOptionsKeepAliveOff = 65535;

    private void FillConnAckProperties(MqttProperties ack, MqttProperties? request, string? assigned, string clientId)
    {
        var options = _services.Options;
        ack.ReceiveMaximum = (ushort)options.ReceiveMaximum;
        ack.MaximumPacketSize = (uint)options.MaxPacketSize;
        ack.TopicAliasMaximum = (ushort)options.TopicAliasMaximum;
        if (options.MaximumQoS < 2)
        {
            ack.MaximumQoS = (byte)options.MaximumQoS;
        }

        if (!options.RetainAvailable)
        {
            ack.RetainAvailable = 0;
        }

        ack.WildcardSubscriptionAvailable = 1;
        ack.SubscriptionIdentifierAvailable = 1;
        ack.SharedSubscriptionAvailable = 1;
        if (assigned is not null)
        {
            ack.AssignedClientIdentifier = assigned;
        }

        if (request?.RequestResponseInformation == 1)
        {
            ack.ResponseInformation = options.ResponseInformation.Replace("${clientid}", clientId, StringComparison.Ordinal);
        }
    }

    private void RejectConnect(ReasonCode v5Reason, ConnectReturnCode v3Code)
    {
        var code = _version == MqttProtocolVersion.V500 ? (byte)v5Reason : (byte)v3Code;
        _outbound.EnqueueControl(new ConnAckPacket { ReasonCode = code });
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

        var decision = _services.Acl.Check(AclAction.Publish, will.Topic, clientId, connect.UserName);
        if (!decision.Allowed)
        {
            return null;
        }

        var message = MessageMapping.ToMessage(will.Topic, will.Payload, will.QoS, will.Retain, will.Properties, clientId, _services.Clock.GetUtcNow().ToUnixTimeMilliseconds());
        return new WillRecord(message, will.Properties?.WillDelayInterval ?? 0);
    }
}
