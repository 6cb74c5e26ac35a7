using System.Collections.Concurrent;
using RobustMq.Gateway.Security.Authentication;

namespace RobustMq.Gateway.Tests.Security.Authentication;

/// <summary>
/// The built-in source's decisions over a store kept in a dictionary (the store over RocksDB is exercised by the
/// integration tests, Security/AuthenticationTests).
/// </summary>
public sealed class BuiltInAuthSourceTests
{
    private readonly Users _users = new();
    private readonly BuiltInAuthSource _source;

    public BuiltInAuthSourceTests() => _source = new BuiltInAuthSource(_users, PasswordHash.MinIterations);

    private ValueTask<AuthResult> Ask(string? user, string? password) =>
        _source.AuthenticateAsync(new AuthRequest("c", user, password is null ? null : System.Text.Encoding.UTF8.GetBytes(password), null, 4), default);

    [Fact]
    public async Task A_stored_user_with_the_right_password_is_allowed_with_its_superuser_flag()
    {
        await _users.PutAsync(UserRecord.Create("alice", "pw"u8, superuser: true, PasswordHash.MinIterations));
        var result = await Ask("alice", "pw");
        Assert.Equal(AuthOutcome.Allow, result.Outcome);
        Assert.True(result.Superuser);
    }

    [Fact]
    public async Task A_wrong_or_missing_password_is_denied_and_an_unknown_or_absent_user_is_ignored()
    {
        await _users.PutAsync(UserRecord.Create("alice", "pw"u8, false, PasswordHash.MinIterations));
        Assert.Equal(AuthOutcome.Deny, (await Ask("alice", "pW")).Outcome);
        Assert.Equal(AuthOutcome.Deny, (await Ask("alice", null)).Outcome);
        Assert.Equal(AuthOutcome.Ignore, (await Ask("bob", "pw")).Outcome);
        Assert.Equal(AuthOutcome.Ignore, (await Ask(null, null)).Outcome);
    }

    [Fact]
    public async Task A_remembered_password_stops_working_once_the_password_changes_or_the_user_is_deleted()
    {
        await _users.PutAsync(UserRecord.Create("alice", "old"u8, false, PasswordHash.MinIterations));
        Assert.Equal(AuthOutcome.Allow, (await Ask("alice", "old")).Outcome);
        Assert.Equal(AuthOutcome.Allow, (await Ask("alice", "old")).Outcome);

        await _users.PutAsync(UserRecord.Create("alice", "new"u8, false, PasswordHash.MinIterations));
        Assert.Equal(AuthOutcome.Deny, (await Ask("alice", "old")).Outcome);
        Assert.Equal(AuthOutcome.Allow, (await Ask("alice", "new")).Outcome);

        await _users.DeleteAsync("alice");
        Assert.Equal(AuthOutcome.Ignore, (await Ask("alice", "new")).Outcome);
    }

    [Fact]
    public async Task A_remembered_password_skips_PBKDF2_and_an_unknown_user_costs_one_as_a_known_one_does()
    {
        await _users.PutAsync(UserRecord.Create("alice", "pw"u8, false, PasswordHash.MinIterations));
        await Ask("alice", "pw");
        var afterFirst = _source.HashesComputed;
        Assert.Equal(1, afterFirst);
        Assert.Equal(AuthOutcome.Allow, (await Ask("alice", "pw")).Outcome);
        Assert.Equal(afterFirst, _source.HashesComputed);

        // Unknown user, known user with a wrong password, known user without one: one PBKDF2 run each, so the answer's
        // time does not tell which user names exist.
        await Ask("nobody", "pw");
        await Ask("alice", "wrong");
        await Ask("alice", null);
        Assert.Equal(afterFirst + 3, _source.HashesComputed);
    }

    [Fact]
    public async Task An_empty_user_name_is_ignored_without_asking_the_store()
    {
        _users.Broken = true;
        Assert.Equal(AuthOutcome.Ignore, (await Ask("", "pw")).Outcome);
    }

    [Fact]
    public async Task A_store_that_cannot_be_read_makes_the_source_unavailable()
    {
        _users.Broken = true;
        Assert.Equal(AuthOutcome.Unavailable, (await Ask("alice", "pw")).Outcome);
    }

    private sealed class Users : IUserStore
    {
        private readonly ConcurrentDictionary<string, UserRecord> _users = new(StringComparer.Ordinal);

        public bool Broken { get; set; }

        public Task<UserRecord?> GetAsync(string userName, CancellationToken cancellationToken = default) =>
            Broken ? throw new IOException("disk gone") : Task.FromResult(_users.TryGetValue(userName, out var user) ? user : null);

        public Task PutAsync(UserRecord user, CancellationToken cancellationToken = default)
        {
            _users[user.UserName] = user;
            return Task.CompletedTask;
        }

        public Task<bool> DeleteAsync(string userName, CancellationToken cancellationToken = default) => Task.FromResult(_users.TryRemove(userName, out _));

        public Task<IReadOnlyList<UserRecord>> ListAsync(CancellationToken cancellationToken = default) =>
            Task.FromResult<IReadOnlyList<UserRecord>>([.. _users.Values]);
    }
}
