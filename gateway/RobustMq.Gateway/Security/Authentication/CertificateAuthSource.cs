namespace RobustMq.Gateway.Security.Authentication;

/// <summary>
/// The <c>cert</c> source: a client whose TLS connection presented a client certificate that verified
/// (<c>Listeners:Tls:ClientCertificate</c> optional or require) and whose User Name is taken from it
/// (<c>…:PeerCertAsUsername</c>) is let in under that name, whatever its password; any other is left to the next
/// source. A User Name the client chose itself is never let in here: a certificate holder could otherwise take anyone's
/// name (and rules).
/// </summary>
public sealed class CertificateAuthSource : IAuthSource
{
    public string Name => "cert";

    public ValueTask<AuthResult> AuthenticateAsync(AuthRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var named = request.CertificateSubject is not null && request.CertificateUserName is { Length: > 0 } name && name == request.UserName;
        return ValueTask.FromResult(named ? AuthResult.Allowed(superuser: false) : AuthResult.Ignored);
    }
}
