using System.Text;

namespace RobustMq.Gateway.Security.Authentication;

/// <summary>
/// How one step of a SCRAM exchange (<see cref="ScramSha256"/>) ended: the message for the client and, on a failure,
/// why. A failure's message is the RFC 5802 <c>server-error</c> form, <c>e=</c> and the error value.
/// </summary>
/// <param name="Succeeded">True when the step passed.</param>
/// <param name="Message">What the server sends: <c>v=...</c> after a verified proof, <c>e=...</c> on a failure.</param>
/// <param name="Detail">Why the step failed, for the log (never sent, never a secret); null on success.</param>
public readonly record struct ScramOutcome(bool Succeeded, byte[] Message, string? Detail)
{
    /// <summary>RFC 5802 section 7 <c>server-error-value</c>: the client's message is not well formed.</summary>
    public const string InvalidEncoding = "invalid-encoding";

    /// <summary>A mandatory extension (<c>m=</c>) the server does not support.</summary>
    public const string ExtensionsNotSupported = "extensions-not-supported";

    /// <summary>The proof does not verify (a wrong password, or a user the store does not have).</summary>
    public const string InvalidProof = "invalid-proof";

    /// <summary>The <c>c=</c> of client-final-message is not the GS2 header of client-first-message.</summary>
    public const string ChannelBindingsDontMatch = "channel-bindings-dont-match";

    /// <summary>The client asked for channel binding (<c>p=</c>): not offered here.</summary>
    public const string ChannelBindingNotSupported = "channel-binding-not-supported";

    /// <summary>The user name is not a valid <c>saslname</c> (an <c>=</c> not followed by <c>2C</c> or <c>3D</c>).</summary>
    public const string InvalidUserNameEncoding = "invalid-username-encoding";

    /// <summary>Anything else: an authorization identity, a nonce that is not the one the server made.</summary>
    public const string OtherError = "other-error";

    public static ScramOutcome Success(string serverFinal) => new(true, Encoding.UTF8.GetBytes(serverFinal), null);

    public static ScramOutcome Failure(string error, string detail) => new(false, Encoding.UTF8.GetBytes("e=" + error), detail);
}
