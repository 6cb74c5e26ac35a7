using System.Security.Cryptography;

namespace RobustMq.Gateway.Security.Authentication;

/// <summary>
/// The enhanced authentication methods of <c>Auth:EnhancedMethods</c> (MQTT 5, 4.12): today SCRAM-SHA-256 against
/// the built-in user store. Starts an exchange from the client's first message; the exchange itself is pure
/// (<see cref="ScramSha256"/>). Thread-safe: one instance serves every connection of the node.
/// </summary>
/// <remarks>
/// A user the store does not have gets a decoy salt and iteration count (<see cref="ScramCredential.Decoy"/>) under a
/// secret this node makes at start and never stores, and then fails at the proof like a wrong password: asking the same
/// node twice shows the same salt, so a name cannot be probed that way. Two nodes of a cluster, or one node before and
/// after a restart, give an unknown name different salts, where a stored user's salt stays: whoever compares answers
/// across nodes or restarts can tell names apart.
/// </remarks>
public sealed class EnhancedAuthenticator
{
    private readonly IUserStore? _store;
    private readonly int _decoyIterations;
    private readonly byte[] _decoySecret = RandomNumberGenerator.GetBytes(32);
    private readonly HashSet<string> _methods;

    /// <param name="methods">The methods offered (<c>Auth:EnhancedMethods</c>).</param>
    /// <param name="store">The built-in user store; required when a method is offered.</param>
    /// <param name="decoyIterations">The iterations a decoy tells (<c>Auth:BuiltIn:Iterations</c>, what a user made now has).</param>
    /// <exception cref="InvalidOperationException">A method is offered and there is no user store.</exception>
    public EnhancedAuthenticator(IEnumerable<string> methods, IUserStore? store, int decoyIterations)
    {
        ArgumentNullException.ThrowIfNull(methods);
        _methods = new HashSet<string>(methods, StringComparer.Ordinal);
        if (_methods.Count > 0 && store is null)
        {
            throw new InvalidOperationException("Auth:EnhancedMethods has SCRAM-SHA-256, and this host has no user store");
        }

        _store = store;
        _decoyIterations = Math.Max(decoyIterations, PasswordHash.MinIterations);
    }

    /// <summary>The methods offered, compared as they are spelled (an Authentication Method is a UTF-8 string).</summary>
    public IReadOnlySet<string> Methods => _methods;

    /// <summary>
    /// Starts an exchange of <paramref name="method"/> (one of <see cref="Methods"/>) from the client's first message
    /// (the CONNECT's or re-authenticating AUTH's Authentication Data). Refused: no data, or a message
    /// <see cref="ScramClientFirst.TryParse"/> refuses. A store that cannot be read answers <see cref="EnhancedAuthStart.Down"/>.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="method"/> is not offered.</exception>
    public async Task<EnhancedAuthStart> StartAsync(string method, ReadOnlyMemory<byte>? clientFirst, CancellationToken cancellationToken)
    {
        if (!_methods.Contains(method))
        {
            throw new ArgumentException($"'{method}' is not an offered enhanced authentication method", nameof(method));
        }

        if (clientFirst is not { } data)
        {
            // SCRAM starts with the client's message (RFC 5802 section 5): without it there is nothing to answer.
            return EnhancedAuthStart.Refused(ScramOutcome.Failure(ScramOutcome.InvalidEncoding, "no client-first-message (Authentication Data)"));
        }

        if (!ScramClientFirst.TryParse(data.Span, out var first, out var failure))
        {
            return EnhancedAuthStart.Refused(failure);
        }

        UserRecord? user;
        try
        {
            user = await _store!.GetAsync(first.UserName, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return EnhancedAuthStart.Down("the built-in user store cannot be read: " + ex.Message);
        }

        // A user stored with a hash SCRAM cannot use fails at the proof like an unknown one.
        var credential = (user is null ? null : ScramCredential.FromUser(user)) ?? ScramCredential.Decoy(first.UserName, _decoySecret, _decoyIterations);
        return EnhancedAuthStart.Continue(new ScramSha256(first, credential, ScramSha256.NewNonce()), user?.Superuser ?? false);
    }
}
