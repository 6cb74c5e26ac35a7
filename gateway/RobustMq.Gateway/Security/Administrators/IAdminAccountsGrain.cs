namespace RobustMq.Gateway.Security.Administrators;

/// <summary>
/// The one writer of the admin API's accounts (key 0, one in the cluster): each change is checked against the stored
/// accounts and made within one grain turn (the grain is not reentrant), so changes from any node are applied one
/// after another and the cluster always keeps at least one administrator (two deletes of the last two at once: one
/// is refused). Storage failures surface as <see cref="RobustMq.Storage.StorageException"/>.
/// </summary>
public interface IAdminAccountsGrain : IGrainWithIntegerKey
{
    /// <summary>
    /// Stores <paramref name="record"/> (an encoded account) as <paramref name="name"/>:
    /// <see cref="AdminAccountChange.Created"/> or <see cref="AdminAccountChange.Done"/>;
    /// <see cref="AdminAccountChange.LastAdministrator"/> (nothing stored) when it would make the last administrator a viewer.
    /// </summary>
    Task<AdminAccountChange> Put(string name, byte[] record, bool administrator);

    /// <summary>Deletes the account: <see cref="AdminAccountChange.Done"/>, <see cref="AdminAccountChange.NotFound"/>, or <see cref="AdminAccountChange.LastAdministrator"/>.</summary>
    Task<AdminAccountChange> Delete(string name);
}
