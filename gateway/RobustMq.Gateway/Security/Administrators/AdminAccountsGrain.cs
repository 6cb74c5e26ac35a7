namespace RobustMq.Gateway.Security.Administrators;

/// <summary>Changes the admin accounts one at a time (see <see cref="IAdminAccountsGrain"/>).</summary>
public sealed class AdminAccountsGrain(IAdminAccountStore store) : Grain, IAdminAccountsGrain
{
    public async Task<AdminAccountChange> Put(string name, byte[] record, bool administrator)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (!administrator && await IsLastAdministratorAsync(name))
        {
            return AdminAccountChange.LastAdministrator;
        }

        var existed = await store.ExistsAsync(name);
        await store.PutRecordAsync(name, record);
        return existed ? AdminAccountChange.Done : AdminAccountChange.Created;
    }

    public async Task<AdminAccountChange> Delete(string name)
    {
        if (await IsLastAdministratorAsync(name))
        {
            return AdminAccountChange.LastAdministrator;
        }

        return await store.DeleteAsync(name) ? AdminAccountChange.Done : AdminAccountChange.NotFound;
    }

    private async Task<bool> IsLastAdministratorAsync(string name) => await store.AdministratorsAsync() is [var only] && only == name;
}
