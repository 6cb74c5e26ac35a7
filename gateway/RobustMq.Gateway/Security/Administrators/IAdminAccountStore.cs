namespace RobustMq.Gateway.Security.Administrators;

/// <summary>
/// The admin API's accounts as <see cref="IAdminAccountsGrain"/> changes them: the silo's store of them
/// (<c>Storage:Default</c>, shared by a cluster's nodes). Records are opaque here (a <c>UserRecord</c> encoded).
/// </summary>
public interface IAdminAccountStore
{
    /// <summary>The names of the accounts that have the administrator role.</summary>
    Task<IReadOnlyList<string>> AdministratorsAsync(CancellationToken cancellationToken = default);

    /// <summary>Whether an account <paramref name="name"/> is stored.</summary>
    Task<bool> ExistsAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Stores <paramref name="record"/> as the account <paramref name="name"/>, replacing one of that name.</summary>
    Task PutRecordAsync(string name, byte[] record, CancellationToken cancellationToken = default);

    /// <summary>Deletes the account; false when there was none.</summary>
    Task<bool> DeleteAsync(string name, CancellationToken cancellationToken = default);
}
