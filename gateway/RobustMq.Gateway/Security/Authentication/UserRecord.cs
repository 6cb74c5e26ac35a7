using System.Text.Json;
using System.Text.Json.Serialization;

namespace RobustMq.Gateway.Security.Authentication;

/// <summary>
/// One user of the built-in store, as stored (storage space <see cref="IUserStore.Space"/>, key the user name): JSON
/// <c>{"user_name":..., "algorithm":"pbkdf2-sha256", "iterations":N, "salt":base64, "hash":base64, "superuser":bool}</c>.
/// </summary>
public sealed record UserRecord(
    [property: JsonPropertyName("user_name")] string UserName,
    [property: JsonPropertyName("algorithm")] string Algorithm,
    [property: JsonPropertyName("iterations")] int Iterations,
    [property: JsonPropertyName("salt")] byte[] Salt,
    [property: JsonPropertyName("hash")] byte[] Hash,
    [property: JsonPropertyName("superuser")] bool Superuser)
{
    /// <summary>A user with <paramref name="password"/> hashed anew (<see cref="PasswordHash.Create"/>).</summary>
    public static UserRecord Create(string userName, ReadOnlySpan<byte> password, bool superuser, int iterations)
    {
        ArgumentException.ThrowIfNullOrEmpty(userName);
        var hash = PasswordHash.Create(password, iterations);
        return new UserRecord(userName, PasswordHash.Algorithm, hash.Iterations, hash.Salt, hash.Hash, superuser);
    }

    /// <summary>The stored hash, or null for an algorithm this version does not know.</summary>
    [JsonIgnore]
    public PasswordHash? Password => Algorithm == PasswordHash.Algorithm && Iterations >= PasswordHash.MinIterations ? new PasswordHash(Iterations, Salt, Hash) : null;

    public byte[] Encode() => JsonSerializer.SerializeToUtf8Bytes(this);

    /// <summary>The record stored as <paramref name="value"/>.</summary>
    /// <exception cref="FormatException">Not a user record.</exception>
    public static UserRecord Decode(ReadOnlySpan<byte> value) =>
        JsonRecord.Decode<UserRecord>(value, u => u is { UserName.Length: > 0, Algorithm: not null, Salt: not null, Hash: not null }, "user");
}

/// <summary>
/// The built-in user store, durable in the node's storage engine (<c>Storage:Default</c>; shared by the cluster when
/// that is PostgreSQL). Implemented by the silo over its storage engines.
/// </summary>
public interface IUserStore
{
    /// <summary>The keyed storage space of the users.</summary>
    const string Space = "auth_users";

    /// <summary>The user named <paramref name="userName"/>, or null.</summary>
    /// <remarks>Throws when the store cannot be read (the source then answers <see cref="AuthOutcome.Unavailable"/>).</remarks>
    Task<UserRecord?> GetAsync(string userName, CancellationToken cancellationToken = default);

    /// <summary>Stores <paramref name="user"/>, replacing any user of that name; completes once durable.</summary>
    Task PutAsync(UserRecord user, CancellationToken cancellationToken = default);

    /// <summary>Deletes the user; true when there was one.</summary>
    Task<bool> DeleteAsync(string userName, CancellationToken cancellationToken = default);

    /// <summary>Every user, by name.</summary>
    Task<IReadOnlyList<UserRecord>> ListAsync(CancellationToken cancellationToken = default);
}
