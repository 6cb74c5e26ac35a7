using System.Diagnostics.CodeAnalysis;

namespace RobustMq.Gateway.Security.Authentication;

/// <summary>
/// How the first step of an enhanced authentication exchange went (<see cref="EnhancedAuthenticator.StartAsync"/>):
/// an exchange that waits for the client's next message, a refusal, or a store that could not be read.
/// </summary>
public sealed record EnhancedAuthStart
{
    /// <summary>The exchange, set when it goes on: send its <see cref="ScramSha256.ServerFirst"/> and wait.</summary>
    public ScramSha256? Exchange { get; private init; }

    /// <summary>Whether the stored user is a superuser; applies only once the exchange succeeded.</summary>
    public bool Superuser { get; private init; }

    /// <summary>Set when the client is refused at this step: its <c>e=</c> message and why.</summary>
    public ScramOutcome? Failure { get; private init; }

    /// <summary>Set when the user store could not be read (the client is refused as the server being unavailable).</summary>
    public string? Unavailable { get; private init; }

    /// <summary>True when the exchange goes on.</summary>
    [MemberNotNullWhen(true, nameof(Exchange))]
    public bool Started => Exchange is not null;

    public static EnhancedAuthStart Continue(ScramSha256 exchange, bool superuser) => new() { Exchange = exchange, Superuser = superuser };

    public static EnhancedAuthStart Refused(ScramOutcome failure) => new() { Failure = failure };

    public static EnhancedAuthStart Down(string reason) => new() { Unavailable = reason };
}
