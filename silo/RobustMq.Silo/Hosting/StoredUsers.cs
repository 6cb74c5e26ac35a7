using RobustMq.Gateway.Security.Authentication;
using RobustMq.Grains.Storage;
using RobustMq.Storage;

namespace RobustMq.Silo.Hosting;

/// <summary>
/// The built-in user store (<see cref="IUserStore"/>) in the node's state storage engine (<c>Storage:Default</c>):
/// keyed space <see cref="IUserStore.Space"/>, key the user name, value a <see cref="UserRecord"/>. With
/// <c>Cluster:Mode=AdoNet</c> that engine is the cluster's PostgreSQL, so every node reads the same users.
/// </summary>
internal sealed class StoredUsers(StorageEngines storage) : IUserStore
{
    public async Task<UserRecord?> GetAsync(string userName, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(userName);
        if (!UserApiNames.IsValid(userName))
        {
            // No user is stored under a name a key cannot hold (empty, U+0000).
            return null;
        }

        var value = await storage.ForState().GetAsync(IUserStore.Space, userName, cancellationToken);
        return value is null ? null : Decode(value);
    }

    public async Task PutAsync(UserRecord user, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(user);
        await storage.ForState().WriteAsync(new StorageBatch().Put(IUserStore.Space, user.UserName, user.Encode()), cancellationToken);
    }

    public async Task<bool> DeleteAsync(string userName, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(userName);
        return await KeyedSpace.DeleteIfPresentAsync(storage.ForState(), IUserStore.Space, userName, cancellationToken);
    }

    public async Task<IReadOnlyList<UserRecord>> ListAsync(CancellationToken cancellationToken = default)
    {
        var users = new List<UserRecord>();
        await foreach (var entry in storage.ForState().ScanAsync(IUserStore.Space, "", cancellationToken))
        {
            users.Add(Decode(entry.Value));
        }

        users.Sort((a, b) => string.CompareOrdinal(a.UserName, b.UserName));
        return users;
    }

    private static UserRecord Decode(ReadOnlyMemory<byte> value)
    {
        try
        {
            return UserRecord.Decode(value.Span);
        }
        catch (FormatException ex)
        {
            throw new StorageException(StorageErrorKind.Corrupt, "auth_users: " + ex.Message);
        }
    }
}

/// <summary>What a user name of the built-in store may be: a storage key (1 to 65,535 bytes of UTF-8, no U+0000).</summary>
internal static class UserApiNames
{
    public static bool IsValid(string name) =>
        name.Length > 0 && !name.Contains('\0', StringComparison.Ordinal) && System.Text.Encoding.UTF8.GetByteCount(name) <= StorageNames.MaxKeyBytes;
}
