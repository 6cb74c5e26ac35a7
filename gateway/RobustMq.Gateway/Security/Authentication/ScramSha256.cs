using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace RobustMq.Gateway.Security.Authentication;

/// <summary>
/// The server side of one SCRAM-SHA-256 exchange (RFC 5802, RFC 7677), without channel binding. Pure: no socket, no
/// store, no clock; the caller parses <c>client-first-message</c> (<see cref="ScramClientFirst.TryParse"/>), looks the
/// user up, and makes this with the user's credential and a fresh server nonce:
/// <code>
/// C: n,,n=user,r=CNONCE                                  (ScramClientFirst.TryParse)
/// S: r=CNONCE+SNONCE,s=SALT,i=4096                       (ServerFirst)
/// C: c=biws,r=CNONCE+SNONCE,p=PROOF                      (Finish)
/// S: v=SERVER-SIGNATURE  or  e=invalid-proof             (ScramOutcome.Message)
/// </code>
/// One exchange per instance: <see cref="Finish"/> is called once.
/// </summary>
public sealed class ScramSha256
{
    /// <summary>The SASL mechanism name, also the MQTT Authentication Method.</summary>
    public const string Mechanism = "SCRAM-SHA-256";

    private const int ProofBytes = 32;
    private readonly ScramClientFirst _first;
    private readonly ScramCredential _credential;
    private readonly string _nonce;
    private readonly string _serverFirst;
    private bool _finished;

    /// <param name="first">The client's first message.</param>
    /// <param name="credential">The user's keys, or a decoy for a user the store does not have.</param>
    /// <param name="serverNonce">
    /// The server's part of the nonce: printable ASCII without commas, fresh for every exchange (<see cref="NewNonce"/>);
    /// a parameter so that a test can give the RFC's.
    /// </param>
    public ScramSha256(ScramClientFirst first, ScramCredential credential, string serverNonce)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(credential);
        ArgumentNullException.ThrowIfNull(serverNonce);
        if (!ScramClientFirst.IsPrintable(serverNonce))
        {
            throw new ArgumentException("a server nonce is printable ASCII without commas", nameof(serverNonce));
        }

        _first = first;
        _credential = credential;
        _nonce = first.ClientNonce + serverNonce;
        _serverFirst = string.Create(CultureInfo.InvariantCulture, $"r={_nonce},s={Convert.ToBase64String(credential.Salt)},i={credential.Iterations}");
        ServerFirst = Encoding.UTF8.GetBytes(_serverFirst);
    }

    /// <summary>The user this exchange is about (as the client named it; proven once <see cref="Finish"/> succeeded).</summary>
    public string UserName => _first.UserName;

    /// <summary><c>server-first-message</c>: the combined nonce, the salt and the iteration count.</summary>
    public byte[] ServerFirst { get; }

    /// <summary>A server nonce: 18 random bytes from <see cref="RandomNumberGenerator"/>, base64 (no commas).</summary>
    public static string NewNonce() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(18));

    /// <summary>
    /// Checks <c>client-final-message</c> (<c>c=...,r=...[,extensions],p=...</c>): the channel binding must be the GS2
    /// header of the first message (<c>channel-bindings-dont-match</c>), the nonce the combined one
    /// (<c>other-error</c>), the proof must verify (<c>invalid-proof</c>, compared in constant time). On success the
    /// message is <c>server-final-message</c>, <c>v=</c> and the ServerSignature.
    /// </summary>
    /// <exception cref="InvalidOperationException">Called a second time.</exception>
    public ScramOutcome Finish(ReadOnlySpan<byte> clientFinal)
    {
        if (_finished)
        {
            throw new InvalidOperationException("the SCRAM exchange has finished");
        }

        _finished = true;
        string text;
        try
        {
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(clientFinal);
        }
        catch (DecoderFallbackException)
        {
            return ScramOutcome.Failure(ScramOutcome.InvalidEncoding, "client-final-message is not UTF-8");
        }

        // The proof is the last attribute (RFC 5802 section 7: client-final-message-without-proof "," proof).
        var proofAt = text.LastIndexOf(",p=", StringComparison.Ordinal);
        if (proofAt < 0)
        {
            return ScramOutcome.Failure(ScramOutcome.InvalidEncoding, "client-final-message has no proof (p=)");
        }

        var withoutProof = text[..proofAt];
        var attributes = withoutProof.Split(',');
        if (attributes.Length < 2 || !attributes[0].StartsWith("c=", StringComparison.Ordinal) || !attributes[1].StartsWith("r=", StringComparison.Ordinal))
        {
            return ScramOutcome.Failure(ScramOutcome.InvalidEncoding, "client-final-message is not c=...,r=...,p=...");
        }

        if (!TryFromBase64(attributes[0][2..], out var binding) || !binding.AsSpan().SequenceEqual(Encoding.UTF8.GetBytes(_first.Gs2Header)))
        {
            // No channel binding: c= is the GS2 header alone (biws for n,,).
            return ScramOutcome.Failure(ScramOutcome.ChannelBindingsDontMatch, "c= is not the GS2 header of client-first-message");
        }

        if (!string.Equals(attributes[1][2..], _nonce, StringComparison.Ordinal))
        {
            return ScramOutcome.Failure(ScramOutcome.OtherError, "the nonce is not the one of this exchange");
        }

        if (!TryFromBase64(text[(proofAt + 3)..], out var proof) || proof.Length != ProofBytes)
        {
            return ScramOutcome.Failure(ScramOutcome.InvalidProof, "the proof is not 32 bytes of base64");
        }

        var authMessage = Encoding.UTF8.GetBytes(_first.Bare + "," + _serverFirst + "," + withoutProof);
        Span<byte> clientKey = stackalloc byte[ProofBytes];
        HMACSHA256.HashData(_credential.StoredKey, authMessage, clientKey);
        for (var i = 0; i < ProofBytes; i++)
        {
            // ClientKey = ClientProof XOR ClientSignature.
            clientKey[i] ^= proof[i];
        }

        Span<byte> storedKey = stackalloc byte[ProofBytes];
        SHA256.HashData(clientKey, storedKey);
        if (!CryptographicOperations.FixedTimeEquals(storedKey, _credential.StoredKey))
        {
            return ScramOutcome.Failure(ScramOutcome.InvalidProof, "the proof does not verify");
        }

        return ScramOutcome.Success("v=" + Convert.ToBase64String(HMACSHA256.HashData(_credential.ServerKey, authMessage)));
    }

    private static bool TryFromBase64(string text, out byte[] bytes)
    {
        try
        {
            bytes = Convert.FromBase64String(text);
            return true;
        }
        catch (FormatException)
        {
            bytes = [];
            return false;
        }
    }
}
