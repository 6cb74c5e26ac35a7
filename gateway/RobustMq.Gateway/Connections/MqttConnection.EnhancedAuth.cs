using Microsoft.Extensions.Logging;
using RobustMq.Gateway.Channel;
using RobustMq.Gateway.Security.Authentication;
using RobustMq.Protocol.Packets;
using RobustMq.Protocol.Properties;
using RobustMq.Protocol.ReasonCodes;

namespace RobustMq.Gateway.Connections;

/// <summary>
/// MQTT 5 enhanced authentication (4.12, <c>Auth:EnhancedMethods</c>): the exchange of AUTH packets a CONNECT with an
/// offered Authentication Method starts, and re-authentication after CONNACK (4.12.1). The mechanism is pure
/// (<see cref="ScramSha256"/>); what may come when is <see cref="PacketOrder"/>'s.
/// <code>
/// CONNECT  (method, client-first)  → AUTH 0x18 (server-first)
/// AUTH 0x18 (client-final)         → CONNACK 0x00 (server-final v=...)   or CONNACK 0x86 (e=...), close
/// AUTH 0x19 (client-first)         → AUTH 0x18 (server-first)            after CONNACK: re-authentication
/// AUTH 0x18 (client-final)         → AUTH 0x00 (server-final v=...)      or DISCONNECT 0x87, close
/// </code>
/// The exchange at CONNECT keeps the connection unconnected, so the connect timeout (Mqtt:ConnectTimeoutSeconds, from
/// the socket's opening) bounds it as it bounds a silent socket. A client that proved a user this way is that user
/// (its CONNECT's User Name and Password are not looked at) and skips the <c>Auth:Sources</c> chain; the blacklist,
/// flapping and ACL sources still apply.
/// </summary>
public sealed partial class MqttConnection
{
    /// <summary>The offered Authentication Method the CONNECT named; null: none (AUTH is then a protocol error).</summary>
    private string? _authMethod;

    /// <summary>The exchange waiting for the client's AUTH: before CONNACK, or a re-authentication after it.</summary>
    private ScramSha256? _authExchange;

    /// <summary>Whether the user the exchange at CONNECT is about is a superuser (applies once it succeeded).</summary>
    private bool _authSuperuser;

    /// <summary>The CONNECT waiting for its exchange, with what was negotiated for it; null once it ended.</summary>
    private (ConnectPacket Connect, ConnectNegotiation Negotiated)? _authConnect;

    /// <summary>What <see cref="PacketOrder"/> checks a packet against: the CONNECT's method, and whether an exchange waits.</summary>
    private void CheckPacketOrder(MqttPacket packet) => PacketOrder.Check(packet, _connected, _authMethod, _authExchange is not null);

    /// <summary>
    /// A CONNECT with an offered Authentication Method: the first step of its exchange, from the CONNECT's
    /// Authentication Data. A CONNECT without Authentication Data, or with a message the mechanism refuses, gets CONNACK
    /// 0x86 Bad User Name or Password: the method is offered (0x8C would say it is not), the credentials are missing or
    /// unreadable.
    /// </summary>
    private async Task BeginEnhancedAuthAsync(ConnectPacket connect, ConnectNegotiation negotiated)
    {
        var method = negotiated.AuthenticationMethod!;
        _authMethod = method;
        var start = await StartExchangeAsync(method, connect.Properties?.AuthenticationData);
        if (!start.Started)
        {
            RefuseEnhancedConnect(negotiated.ClientId!, start.Failure?.Message, start.Unavailable is null ? ReasonCode.BadUserNameOrPassword : ReasonCode.ServerUnavailable, start.Failure?.Detail ?? start.Unavailable);
            return;
        }

        _authExchange = start.Exchange;
        _authSuperuser = start.Superuser;
        _authConnect = (connect, negotiated);
        Send(Auth(ReasonCode.ContinueAuthentication, start.Exchange.ServerFirst));
    }

    /// <summary>An AUTH that <see cref="PacketOrder"/> let through: the next step of an exchange, or a re-authentication.</summary>
    private async Task HandleAuthAsync(AuthPacket auth)
    {
        var data = auth.Properties?.AuthenticationData ?? ReadOnlyMemory<byte>.Empty;
        if (_authExchange is { } exchange)
        {
            _authExchange = null;
            var outcome = exchange.Finish(data.Span);
            if (_authConnect is { } waiting)
            {
                _authConnect = null;
                await FinishEnhancedConnectAsync(waiting.Connect, waiting.Negotiated, exchange, outcome);
            }
            else
            {
                FinishReauthentication(exchange, outcome);
            }

            return;
        }

        // MQTT-4.12.1-1: Re-authenticate, with the CONNECT's method and a new first message.
        var start = await StartExchangeAsync(_authMethod!, auth.Properties?.AuthenticationData);
        if (!start.Started)
        {
            FailReauthentication(start.Failure?.Detail ?? start.Unavailable, start.Unavailable is null ? "bad_credentials" : "unavailable");
            return;
        }

        if (!string.Equals(start.Exchange.UserName, _userName, StringComparison.Ordinal))
        {
            // The connection's session, subscriptions and ACL are its user's: re-authentication proves that user again.
            FailReauthentication("re-authentication names another user", "not_authorized");
            return;
        }

        _authExchange = start.Exchange;
        Send(Auth(ReasonCode.ContinueAuthentication, start.Exchange.ServerFirst));
    }

    private async Task FinishEnhancedConnectAsync(ConnectPacket connect, ConnectNegotiation negotiated, ScramSha256 exchange, ScramOutcome outcome)
    {
        if (!outcome.Succeeded)
        {
            RefuseEnhancedConnect(negotiated.ClientId!, outcome.Message, ReasonCode.BadUserNameOrPassword, outcome.Detail, exchange.UserName);
            return;
        }

        _services.Metrics.Authentications.WithLabels("allowed").Inc();
        // The proven user is the connection's user name: the ACL, the blacklist and the session see that one.
        connect.UserName = exchange.UserName;
        _superuser = _authSuperuser;
        var ack = negotiated.ConnAckProperties!;
        ack.AuthenticationMethod = _authMethod;
        ack.AuthenticationData = outcome.Message;
        await AcceptConnectAsync(connect, negotiated, enhanced: true);
    }

    private void FinishReauthentication(ScramSha256 exchange, ScramOutcome outcome)
    {
        if (!outcome.Succeeded)
        {
            FailReauthentication(outcome.Detail, "bad_credentials");
            return;
        }

        _services.Metrics.Authentications.WithLabels("allowed").Inc();
        LogReauthenticated(_services.Logger, Ref.ConnectionId, LogClientId, exchange.UserName);
        Send(Auth(ReasonCode.Success, outcome.Message));
    }

    /// <summary>
    /// MQTT-4.12.1-2: a failed re-authentication SHOULD be answered with DISCONNECT and MUST close. The reason is 0x87
    /// Not authorized: 0x86 Bad User Name or Password is a CONNACK reason code only (3.14.2.1 does not list it).
    /// </summary>
    private void FailReauthentication(string? why, string outcome)
    {
        _services.Metrics.Authentications.WithLabels(outcome).Inc();
        _endReason ??= $"re-authentication refused ({_authMethod}): {why}";
        LogAuthenticationRefused(_services.Logger, Ref.ConnectionId, LogClientId, _userName, _authMethod ?? "-", why);
        CloseFromServer((byte)ReasonCode.NotAuthorized);
    }

    /// <summary>
    /// Refuses the CONNECT whose exchange failed: CONNACK with <paramref name="reason"/> and, when the mechanism had
    /// one, its <c>e=</c> message as Authentication Data (3.2.2.3.17), then the close.
    /// </summary>
    private void RefuseEnhancedConnect(string clientId, byte[]? error, ReasonCode reason, string? why, string? userName = null)
    {
        _services.Metrics.Authentications.WithLabels(reason == ReasonCode.ServerUnavailable ? "unavailable" : "bad_credentials").Inc();
        _endReason ??= $"enhanced authentication refused ({_authMethod}): {why}";
        LogAuthenticationRefused(_services.Logger, Ref.ConnectionId, clientId, userName, _authMethod ?? "-", why);
        RejectConnect(new ConnectRefusal(reason, ConnectReturnCode.NotAuthorized),
            error is null ? null : new MqttProperties { AuthenticationMethod = _authMethod, AuthenticationData = error });
    }

    /// <summary>The first step of an exchange, given as long as a grain call: a store that hangs is the server being unavailable.</summary>
    private async Task<EnhancedAuthStart> StartExchangeAsync(string method, ReadOnlyMemory<byte>? clientFirst)
    {
        try
        {
            return await _services.EnhancedAuth.StartAsync(method, clientFirst, _closed.Token).WaitAsync(_services.GrainTimeout);
        }
        catch (TimeoutException)
        {
            return EnhancedAuthStart.Down("the built-in user store did not answer in time");
        }
    }

    private AuthPacket Auth(ReasonCode reason, byte[] data) => new()
    {
        ReasonCode = reason,
        Properties = new MqttProperties { AuthenticationMethod = _authMethod, AuthenticationData = data },
    };

    [LoggerMessage(EventId = 1013, Level = LogLevel.Debug, Message = "Connection {ConnectionId} ({ClientId}): user {UserName} re-authenticated")]
    private static partial void LogReauthenticated(ILogger logger, long connectionId, string clientId, string userName);
}
