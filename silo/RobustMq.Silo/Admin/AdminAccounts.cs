using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using RobustMq.Gateway.Security.Administrators;
using RobustMq.Gateway.Security.Authentication;
using RobustMq.Grains.Storage;
using RobustMq.Silo.Hosting;
using RobustMq.Storage;

namespace RobustMq.Silo.Admin;

/// <summary>
/// The admin API's accounts, in <c>Storage:Default</c> (keyed space <see cref="Space"/>, key the name, value a
/// <see cref="UserRecord"/>: PBKDF2-SHA-256, <c>superuser</c> meaning the <c>administrator</c> role, otherwise
/// <c>viewer</c>), so a cluster's nodes share them. At start, when none is stored, <c>Admin:Username</c> is made an
/// administrator with <c>Admin:Password</c> (<c>public</c> when unset, with a warning at each start while that
/// password still works). The API's changes go through <see cref="IAdminAccountsGrain"/> (<see cref="ChangeAsync"/>,
/// <see cref="RemoveAsync"/>), which keeps at least one administrator however many change them at once.
/// </summary>
public sealed partial class AdminAccounts(StorageEngines storage, IGrainFactory grains, IOptions<AdminOptions> options, IOptions<AuthOptions> auth, ILogger<AdminAccounts> logger)
    : IHostedService, IAdminAccountStore
{
    public const string Space = "admin_accounts";

    /// <summary>The password of the first administrator when <c>Admin:Password</c> is unset.</summary>
    public const string DefaultPassword = "public";

    public const string Administrator = "administrator";
    public const string Viewer = "viewer";

    public async Task<UserRecord?> GetAsync(string name, CancellationToken cancellationToken = default)
    {
        if (!UserApiNames.IsValid(name))
        {
            return null;
        }

        var value = await storage.ForState().GetAsync(Space, name, cancellationToken);
        return value is null ? null : UserRecord.Decode(value);
    }

    public async Task<IReadOnlyList<UserRecord>> ListAsync(CancellationToken cancellationToken = default)
    {
        var accounts = new List<UserRecord>();
        await foreach (var entry in storage.ForState().ScanAsync(Space, "", cancellationToken))
        {
            accounts.Add(UserRecord.Decode(entry.Value));
        }

        accounts.Sort((a, b) => string.CompareOrdinal(a.UserName, b.UserName));
        return accounts;
    }

    /// <summary>Stores the account <paramref name="name"/> with <paramref name="password"/> hashed anew, replacing one of that name.</summary>
    public async Task<UserRecord> PutAsync(string name, string password, bool administrator, CancellationToken cancellationToken = default)
    {
        var account = UserRecord.Create(name, Encoding.UTF8.GetBytes(password), administrator, auth.Value.BuiltIn.Iterations);
        await storage.ForState().WriteAsync(new StorageBatch().Put(Space, name, account.Encode()), cancellationToken);
        return account;
    }

    public Task<bool> DeleteAsync(string name, CancellationToken cancellationToken = default) =>
        KeyedSpace.DeleteIfPresentAsync(storage.ForState(), Space, name, cancellationToken);

    /// <summary>
    /// Stores the account <paramref name="name"/> with <paramref name="password"/> hashed anew, through the one writer:
    /// <see cref="AdminAccountChange.Created"/>, <see cref="AdminAccountChange.Done"/>, or
    /// <see cref="AdminAccountChange.LastAdministrator"/> when it would make the last administrator a viewer.
    /// </summary>
    public Task<AdminAccountChange> ChangeAsync(string name, string password, bool administrator, CancellationToken cancellationToken = default)
    {
        var account = UserRecord.Create(name, Encoding.UTF8.GetBytes(password), administrator, auth.Value.BuiltIn.Iterations);
        return Writer.Put(name, account.Encode(), administrator).WaitAsync(cancellationToken);
    }

    /// <summary>Deletes the account through the one writer: Done, NotFound, or LastAdministrator.</summary>
    public Task<AdminAccountChange> RemoveAsync(string name, CancellationToken cancellationToken = default) =>
        Writer.Delete(name).WaitAsync(cancellationToken);

    private IAdminAccountsGrain Writer => grains.GetGrain<IAdminAccountsGrain>(0);

    public async Task<IReadOnlyList<string>> AdministratorsAsync(CancellationToken cancellationToken = default) =>
        [.. (await ListAsync(cancellationToken)).Where(a => a.Superuser).Select(a => a.UserName)];

    public async Task<bool> ExistsAsync(string name, CancellationToken cancellationToken = default) =>
        await storage.ForState().GetAsync(Space, name, cancellationToken) is not null;

    public async Task PutRecordAsync(string name, byte[] record, CancellationToken cancellationToken = default) =>
        await storage.ForState().WriteAsync(new StorageBatch().Put(Space, name, record), cancellationToken);

    /// <summary>Checked against when the name has no account, so that an unknown name takes as long as a wrong password.</summary>
    private readonly Lazy<PasswordHash> _decoy = new(() => PasswordHash.Create("decoy"u8, Math.Max(auth.Value.BuiltIn.Iterations, PasswordHash.MinIterations)));

    /// <summary>The account when <paramref name="password"/> is its password, else null (as long either way for a name that exists or not).</summary>
    public async Task<UserRecord?> VerifyAsync(string name, string password, CancellationToken cancellationToken = default)
    {
        var account = await GetAsync(name, cancellationToken);
        var given = Encoding.UTF8.GetBytes(password);
        var hash = account?.Password ?? _decoy.Value;
        var matches = await Task.Run(() => hash.Verify(given), cancellationToken);
        return matches && account?.Password is not null ? account : null;
    }

    public static string RoleOf(UserRecord account) => account.Superuser ? Administrator : Viewer;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var admin = options.Value;
        try
        {
            if ((await ListAsync(cancellationToken)).Count == 0)
            {
                await PutAsync(admin.Username, admin.Password ?? DefaultPassword, administrator: true, cancellationToken);
                LogCreated(logger, admin.Username);
            }

            if (admin.Password is null && await GetAsync(admin.Username, cancellationToken) is { Password: { } hash } && hash.Verify(Encoding.UTF8.GetBytes(DefaultPassword)))
            {
                LogDefaultPassword(logger, admin.Username);
            }
        }
        catch (Exception ex) when (ex is StorageException or FormatException)
        {
            // The broker runs; logins fail until the store can be read.
            LogStoreFailed(logger, ex);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>A new API key secret: 32 random bytes, base64url.</summary>
    public static string NewSecret() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    [LoggerMessage(EventId = 5001, Level = LogLevel.Information, Message = "Admin: no admin account was stored; made administrator '{Name}' (Admin:Username, Admin:Password)")]
    private static partial void LogCreated(ILogger logger, string name);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Warning, Message = "Admin: administrator '{Name}' still has the default password 'public': change it (PUT /api/v1/admins/{Name}) or set Admin:Password before the first start")]
    private static partial void LogDefaultPassword(ILogger logger, string name);

    [LoggerMessage(EventId = 5003, Level = LogLevel.Warning, Message = "Admin: the admin accounts cannot be read; logins fail until they can")]
    private static partial void LogStoreFailed(ILogger logger, Exception ex);
}
