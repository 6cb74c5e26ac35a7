using RobustMq.Gateway.Channel;
using RobustMq.Protocol.ReasonCodes;

namespace RobustMq.Gateway.Security.Authentication;

/// <summary>The chain's decision on a CONNECT: let in (maybe as a superuser), or the CONNACK refusal and why.</summary>
public readonly record struct AuthDecision(bool Allowed, bool Superuser, ConnectRefusal Refusal, string? Reason, string? Source)
{
    public static AuthDecision Let(bool superuser, string? source) => new(true, superuser, default, null, source);

    public static AuthDecision Refuse(ReasonCode reason, ConnectReturnCode returnCode, string why, string? source) =>
        new(false, false, new ConnectRefusal(reason, returnCode), why, source);
}

/// <summary>
/// The authentication half of the node's access-control front: the sources of <c>Auth:Sources</c> asked in order, the
/// first decisive answer wins (as EMQX's authentication chain).
/// <list type="bullet">
/// <item>A source that allows lets the client in; one that denies refuses it with CONNACK 0x86 Bad User Name or
/// Password (return code 4 on 3.1.x).</item>
/// <item>A source that is down refuses it with 0x88 Server Unavailable (3), or, with <c>Auth:FallThroughWhenDown</c>,
/// is passed over (and a client with a User Name that no other source decides on then gets 0x88, not 0x86).</item>
/// <item>When every source ignores the client: one without a User Name is let in if <c>Auth:AllowAnonymous</c>, and
/// refused with 0x87 Not Authorized (5) otherwise; one with a User Name that no source knows is refused with 0x86 (4),
/// unless no source is configured and anonymous clients are allowed (then the User Name is not checked at all).</item>
/// </list>
/// Thread-safe: one instance serves every connection of the node.
/// </summary>
public sealed class Authenticator : IAsyncDisposable
{
    private readonly IAuthSource[] _sources;

    /// <param name="sources">The chain, in the order asked.</param>
    /// <param name="allowAnonymous">Whether a client without a User Name that no source decides on is let in.</param>
    /// <param name="fallThroughWhenDown">Whether a source that is down is passed over rather than refusing the client.</param>
    public Authenticator(IEnumerable<IAuthSource> sources, bool allowAnonymous, bool fallThroughWhenDown)
    {
        ArgumentNullException.ThrowIfNull(sources);
        _sources = [.. sources];
        AllowAnonymous = allowAnonymous;
        FallThroughWhenDown = fallThroughWhenDown;
    }

    /// <summary>Whether a client without a User Name that no source decides on is let in.</summary>
    public bool AllowAnonymous { get; }

    /// <summary>Disposes the sources (their SQL pools and Redis connections).</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var source in _sources)
        {
            if (source is IAsyncDisposable owned)
            {
                await owned.DisposeAsync();
            }
        }
    }

    /// <summary>Whether a source that is down is passed over.</summary>
    public bool FallThroughWhenDown { get; }

    /// <summary>The sources' names, in the order asked.</summary>
    public IReadOnlyList<string> SourceNames => [.. _sources.Select(s => s.Name)];

    /// <summary>
    /// Whether every client is let in without asking anything (no source, anonymous allowed): the CONNECT path then
    /// needs no call at all.
    /// </summary>
    public bool LetsEveryoneIn => _sources.Length == 0 && AllowAnonymous;

    /// <summary>Decides on <paramref name="request"/>; see the class summary. Never throws for a source's failure.</summary>
    public async ValueTask<AuthDecision> AuthenticateAsync(AuthRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (LetsEveryoneIn)
        {
            return AuthDecision.Let(superuser: false, source: null);
        }

        string? down = null;
        foreach (var source in _sources)
        {
            AuthResult result;
            try
            {
                result = await source.AuthenticateAsync(request, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                result = AuthResult.Down($"{ex.GetType().Name}: {ex.Message}");
            }

            switch (result.Outcome)
            {
                case AuthOutcome.Allow:
                    return AuthDecision.Let(result.Superuser, source.Name);
                case AuthOutcome.Deny:
                    return AuthDecision.Refuse(ReasonCode.BadUserNameOrPassword, ConnectReturnCode.BadUserNameOrPassword, result.Reason ?? "wrong credentials", source.Name);
                case AuthOutcome.Unavailable when !FallThroughWhenDown:
                    return AuthDecision.Refuse(ReasonCode.ServerUnavailable, ConnectReturnCode.ServerUnavailable, result.Reason ?? "source unavailable", source.Name);
                case AuthOutcome.Unavailable:
                    down ??= source.Name + ": " + (result.Reason ?? "source unavailable");
                    break;
            }
        }

        if (down is not null && request.UserName is not null)
        {
            // Passed over, and no other source knew the user: the one that could not answer might have.
            return AuthDecision.Refuse(ReasonCode.ServerUnavailable, ConnectReturnCode.ServerUnavailable, down, null);
        }

        if (request.UserName is null)
        {
            return AllowAnonymous
                ? AuthDecision.Let(superuser: false, source: null)
                : AuthDecision.Refuse(ReasonCode.NotAuthorized, ConnectReturnCode.NotAuthorized, "anonymous clients are not allowed (Auth:AllowAnonymous)", null);
        }

        // No source configured with anonymous clients allowed never gets here (LetsEveryoneIn).
        return AuthDecision.Refuse(ReasonCode.BadUserNameOrPassword, ConnectReturnCode.BadUserNameOrPassword, "no authentication source knows the user", null);
    }
}
