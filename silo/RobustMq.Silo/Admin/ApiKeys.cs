using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using RobustMq.Grains.Storage;
using RobustMq.Silo.Hosting;
using RobustMq.Storage;

namespace RobustMq.Silo.Admin;

/// <summary>
/// An API key for scripts (EMQX's shape): <c>Authorization: Basic base64(api_key:api_secret)</c>. Stored with the
/// SHA-256 of its secret only (the secret is 256 random bits, shown once when the key is made).
/// </summary>
public sealed record ApiKeyRecord(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("api_key")] string Key,
    [property: JsonPropertyName("secret_sha256")] byte[] SecretHash,
    [property: JsonPropertyName("role")] string Role,
    [property: JsonPropertyName("created_ms")] long CreatedUnixMs,
    [property: JsonPropertyName("expires_ms")] long? ExpiresUnixMs)
{
    public bool Matches(string secret) =>
        CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(secret)), SecretHash);
}

/// <summary>The API keys in <c>Storage:Default</c> (keyed space <see cref="Space"/>, key the api_key), shared by a cluster's nodes.</summary>
public sealed class ApiKeys(StorageEngines storage)
{
    public const string Space = "admin_api_keys";

    public async Task<ApiKeyRecord?> GetAsync(string key, CancellationToken cancellationToken = default)
    {
        if (key.Length is 0 or > 64 || !key.All(char.IsAsciiHexDigitLower))
        {
            // Keys are made of 16 lower-case hex digits: anything else is no key (and never reaches the store).
            return null;
        }

        var value = await storage.ForState().GetAsync(Space, key, cancellationToken);
        return value is null ? null : Decode(value);
    }

    public async Task<IReadOnlyList<ApiKeyRecord>> ListAsync(CancellationToken cancellationToken = default)
    {
        var keys = new List<ApiKeyRecord>();
        await foreach (var entry in storage.ForState().ScanAsync(Space, "", cancellationToken))
        {
            keys.Add(Decode(entry.Value));
        }

        keys.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        return keys;
    }

    /// <summary>Makes a key; returns it with its secret (the only time the secret is known).</summary>
    public async Task<(ApiKeyRecord Record, string Secret)> CreateAsync(string name, string role, long nowUnixMs, long? expiresUnixMs, CancellationToken cancellationToken = default)
    {
        var key = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        var secret = AdminAccounts.NewSecret();
        var record = new ApiKeyRecord(name, key, SHA256.HashData(Encoding.UTF8.GetBytes(secret)), role, nowUnixMs, expiresUnixMs);
        await storage.ForState().WriteAsync(new StorageBatch().Put(Space, key, JsonSerializer.SerializeToUtf8Bytes(record)), cancellationToken);
        return (record, secret);
    }

    public Task<bool> DeleteAsync(string key, CancellationToken cancellationToken = default) =>
        key.Length is 0 or > 64 || !key.All(char.IsAsciiHexDigitLower) ? Task.FromResult(false) : KeyedSpace.DeleteIfPresentAsync(storage.ForState(), Space, key, cancellationToken);

    /// <exception cref="FormatException">Not an API key record.</exception>
    private static ApiKeyRecord Decode(byte[] value)
    {
        try
        {
            return JsonSerializer.Deserialize<ApiKeyRecord>(value) is { Key: not null, SecretHash: not null, Role: not null } record
                ? record
                : throw new FormatException("not an API key record");
        }
        catch (JsonException ex)
        {
            throw new FormatException("not an API key record: " + ex.Message, ex);
        }
    }
}
