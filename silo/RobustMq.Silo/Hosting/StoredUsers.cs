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
        ArgumentException.ThrowIfNullOrEmpty(userName);
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
        var engine = storage.ForState();
        if (await engine.GetAsync(IUserStore.Space, userName, cancellationToken) is null)
        {
            return false;
        }

        await engine.WriteAsync(new StorageBatch().Delete(IUserStore.Space, userName), cancellationToken);
        return true;
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
