using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace RobustMq.Gateway.Security.Authentication;

/// <summary>
/// A SCRAM <c>client-first-message</c> (RFC 5802 section 7): <c>gs2-header client-first-message-bare</c>, for example
/// <c>n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL</c>.
/// </summary>
/// <param name="Gs2Header">The GS2 header as sent (<c>n,,</c> or <c>y,,</c>); the client repeats it, base64, as <c>c=</c>.</param>
/// <param name="UserName">The user name, its <c>=2C</c> and <c>=3D</c> unescaped. Not SASLprep'd (see <see cref="TryParse"/>).</param>
/// <param name="ClientNonce">The client's nonce (<c>r=</c>).</param>
/// <param name="Bare">The message after the GS2 header: the first part of the AuthMessage both sides sign.</param>
public sealed record ScramClientFirst(string Gs2Header, string UserName, string ClientNonce, string Bare)
{
    private static readonly UTF8Encoding StrictUtf8 = new(false, throwOnInvalidBytes: true);

    /// <summary>
    /// Parses <paramref name="message"/>. Refused, with the RFC 5802 error value: bytes that are not UTF-8 or a message
    /// that is not <c>gs2-header n=...,r=...</c> (<c>invalid-encoding</c>); channel binding asked for, <c>p=</c>
    /// (<c>channel-binding-not-supported</c>: none is offered, so the <c>-PLUS</c> variant is not either, and a client's
    /// <c>y</c>, "I could bind but you do not offer it", is accepted as RFC 5802 section 6 says); an authorization
    /// identity <c>a=</c> (<c>other-error</c>: a client acts as the user it proves, nobody else); a mandatory extension
    /// <c>m=</c> (<c>extensions-not-supported</c>); a user name with an <c>=</c> that is not <c>=2C</c> or <c>=3D</c>, or
    /// an empty one (<c>invalid-username-encoding</c>); a nonce that is empty or not printable ASCII without commas.
    /// Extensions after the nonce are ignored (RFC 5802 section 5.1). The user name is compared as it is: no SASLprep
    /// (RFC 4013) is applied, which matches for the ASCII names and passwords it leaves unchanged.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> message, [NotNullWhen(true)] out ScramClientFirst? first, out ScramOutcome failure)
    {
        first = null;
        failure = default;
        string text;
        try
        {
            text = StrictUtf8.GetString(message);
        }
        catch (DecoderFallbackException)
        {
            failure = ScramOutcome.Failure(ScramOutcome.InvalidEncoding, "client-first-message is not UTF-8");
            return false;
        }

        if (text.StartsWith("p=", StringComparison.Ordinal))
        {
            failure = ScramOutcome.Failure(ScramOutcome.ChannelBindingNotSupported, "the client asked for channel binding");
            return false;
        }

        if (!text.StartsWith("n,", StringComparison.Ordinal) && !text.StartsWith("y,", StringComparison.Ordinal))
        {
            failure = ScramOutcome.Failure(ScramOutcome.InvalidEncoding, "client-first-message does not start with a GS2 header (n, or y,)");
            return false;
        }

        var headerEnd = text.IndexOf(',', 2);
        if (headerEnd < 0)
        {
            failure = ScramOutcome.Failure(ScramOutcome.InvalidEncoding, "the GS2 header does not end");
            return false;
        }

        if (headerEnd != 2)
        {
            failure = ScramOutcome.Failure(ScramOutcome.OtherError, "an authorization identity (a=) is not supported");
            return false;
        }

        var bare = text[(headerEnd + 1)..];
        var attributes = bare.Split(',');
        if (attributes[0].StartsWith("m=", StringComparison.Ordinal))
        {
            failure = ScramOutcome.Failure(ScramOutcome.ExtensionsNotSupported, "a mandatory extension (m=) is not supported");
            return false;
        }

        if (attributes.Length < 2 || !attributes[0].StartsWith("n=", StringComparison.Ordinal) || !attributes[1].StartsWith("r=", StringComparison.Ordinal))
        {
            failure = ScramOutcome.Failure(ScramOutcome.InvalidEncoding, "client-first-message-bare is not n=...,r=...");
            return false;
        }

        if (UnescapeSaslName(attributes[0].AsSpan(2)) is not { Length: > 0 } userName)
        {
            failure = ScramOutcome.Failure(ScramOutcome.InvalidUserNameEncoding, "the user name is empty or has an = that is not =2C or =3D");
            return false;
        }

        var nonce = attributes[1][2..];
        if (!IsPrintable(nonce))
        {
            failure = ScramOutcome.Failure(ScramOutcome.InvalidEncoding, "the client nonce is empty or not printable ASCII");
            return false;
        }

        first = new ScramClientFirst(text[..(headerEnd + 1)], userName, nonce, bare);
        return true;
    }

    /// <summary>
    /// A <c>saslname</c> unescaped (RFC 5802 section 5.1: <c>=2C</c> is a comma, <c>=3D</c> an equals sign; any other
    /// <c>=</c> is invalid), or null when it is not one.
    /// </summary>
    public static string? UnescapeSaslName(ReadOnlySpan<char> saslName)
    {
        var result = new StringBuilder(saslName.Length);
        for (var i = 0; i < saslName.Length; i++)
        {
            var c = saslName[i];
            if (c == '\0')
            {
                return null;
            }

            if (c != '=')
            {
                result.Append(c);
                continue;
            }

            if (saslName[(i + 1)..] is ['2', 'C', ..])
            {
                result.Append(',');
            }
            else if (saslName[(i + 1)..] is ['3', 'D', ..])
            {
                result.Append('=');
            }
            else
            {
                return null;
            }

            i += 2;
        }

        return result.ToString();
    }

    /// <summary>A <c>saslname</c> for <paramref name="userName"/>: <c>=</c> as <c>=3D</c>, <c>,</c> as <c>=2C</c>.</summary>
    public static string EscapeSaslName(string userName) =>
        userName.Replace("=", "=3D", StringComparison.Ordinal).Replace(",", "=2C", StringComparison.Ordinal);

    /// <summary>RFC 5802 <c>printable</c>: ASCII 0x21-0x7E except the comma; at least one.</summary>
    internal static bool IsPrintable(string value)
    {
        if (value.Length == 0)
        {
            return false;
        }

        foreach (var c in value)
        {
            if (c is < '!' or > '~' or ',')
            {
                return false;
            }
        }

        return true;
    }
}
