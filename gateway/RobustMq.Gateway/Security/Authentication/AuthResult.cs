namespace RobustMq.Gateway.Security.Authentication;

/// <summary>What an authentication source answers for one CONNECT.</summary>
public enum AuthOutcome
{
    /// <summary>The source does not know the client: the next source of the chain is asked.</summary>
    Ignore,

    /// <summary>The credentials are right: the client is let in.</summary>
    Allow,

    /// <summary>The credentials are wrong: CONNACK 0x86 (MQTT 5) or return code 4 (3.1.x).</summary>
    Deny,

    /// <summary>The source cannot answer (its server is down or slow): CONNACK 0x88 / 3, unless <c>Auth:FallThroughWhenDown</c>.</summary>
    Unavailable,
}

/// <summary>One source's answer: the outcome, whether an allowed client is a superuser (no ACL check), and why.</summary>
public readonly record struct AuthResult(AuthOutcome Outcome, bool Superuser = false, string? Reason = null)
{
    public static AuthResult Ignored { get; } = new(AuthOutcome.Ignore);

    public static AuthResult Allowed(bool superuser) => new(AuthOutcome.Allow, superuser);

    public static AuthResult Denied(string reason) => new(AuthOutcome.Deny, Reason: reason);

    public static AuthResult Down(string reason) => new(AuthOutcome.Unavailable, Reason: reason);
}

/// <summary>
/// What a CONNECT presents to authentication: the client id (after assignment), the User Name and Password fields
/// (null when absent; the User Name is the certificate's with <c>PeerCertAsUsername</c>), the peer's address, the
/// protocol version, the subject of the client certificate its TLS handshake verified (null without one), and the User
/// Name when it was taken from that certificate (null otherwise).
/// </summary>
public sealed record AuthRequest(
    string ClientId, string? UserName, ReadOnlyMemory<byte>? Password, string? Peer, byte ProtocolVersion,
    string? CertificateSubject = null, string? CertificateUserName = null);

/// <summary>One source of the authentication chain (<c>Auth:Sources</c>).</summary>
public interface IAuthSource
{
    /// <summary>The name that <c>Auth:Sources</c> gives it (<c>builtin</c>, ...).</summary>
    string Name { get; }

    /// <summary>Answers for <paramref name="request"/>. Does not throw for a source that is down: answers <see cref="AuthOutcome.Unavailable"/>.</summary>
    ValueTask<AuthResult> AuthenticateAsync(AuthRequest request, CancellationToken cancellationToken);
}
