using System.Collections.Concurrent;
using System.Text;
using RobustMq.Gateway.Security.Authentication;

namespace RobustMq.Gateway.Tests.Security.Authentication;

/// <summary>SCRAM-SHA-256 started by <see cref="EnhancedAuthenticator"/> over a store kept in a dictionary.</summary>
public sealed class EnhancedAuthenticatorScramTests
{
    private readonly Users _users = new();
    private readonly EnhancedAuthenticator _auth;

    public EnhancedAuthenticatorScramTests() => _auth = new EnhancedAuthenticator([ScramSha256.Mechanism], _users, PasswordHash.MinIterations);

    private async Task<(ScramOutcome Outcome, EnhancedAuthStart Start, TestScramClient Client)> RunAsync(string user, string password)
    {
        var client = new TestScramClient(user, password);
        var start = await _auth.StartAsync(ScramSha256.Mechanism, Encoding.UTF8.GetBytes(client.First), default);
        Assert.True(start.Started);
        var outcome = start.Exchange.Finish(Encoding.UTF8.GetBytes(client.Final(Encoding.UTF8.GetString(start.Exchange.ServerFirst))));
        return (outcome, start, client);
    }

    [Fact]
    public async Task A_user_made_for_CONNECT_passwords_signs_in_with_SCRAM_and_keeps_its_superuser_flag()
    {
        _users.Put(UserRecord.Create("alice", "s3cret"u8, superuser: true, PasswordHash.MinIterations));

        var (outcome, start, client) = await RunAsync("alice", "s3cret");

        Assert.True(outcome.Succeeded, outcome.Detail);
        Assert.True(client.VerifyServerFinal(Encoding.UTF8.GetString(outcome.Message)));
        Assert.True(start.Superuser);
        Assert.Equal("alice", start.Exchange!.UserName);
    }

    [Fact]
    public async Task A_wrong_password_fails_at_the_proof()
    {
        _users.Put(UserRecord.Create("alice", "s3cret"u8, superuser: false, PasswordHash.MinIterations));

        var (outcome, _, _) = await RunAsync("alice", "s3cret?");

        Assert.Equal("e=invalid-proof", Encoding.UTF8.GetString(outcome.Message));
    }

    [Fact]
    public async Task An_unknown_user_gets_the_same_salt_each_time_and_fails_at_the_proof()
    {
        var first = await _auth.StartAsync(ScramSha256.Mechanism, "n,,n=nobody,r=abc"u8.ToArray(), default);
        var second = await _auth.StartAsync(ScramSha256.Mechanism, "n,,n=nobody,r=def"u8.ToArray(), default);
        string Salt(EnhancedAuthStart s) => Encoding.UTF8.GetString(s.Exchange!.ServerFirst).Split(',')[1];

        Assert.Equal(Salt(first), Salt(second));
        Assert.EndsWith($",i={PasswordHash.MinIterations}", Encoding.UTF8.GetString(first.Exchange!.ServerFirst), StringComparison.Ordinal);
        var (outcome, _, _) = await RunAsync("nobody", "anything");
        Assert.Equal("e=invalid-proof", Encoding.UTF8.GetString(outcome.Message));
    }

    [Fact]
    public async Task No_client_first_message_or_a_bad_one_is_refused()
    {
        var none = await _auth.StartAsync(ScramSha256.Mechanism, null, default);
        var bad = await _auth.StartAsync(ScramSha256.Mechanism, "hello"u8.ToArray(), default);

        Assert.False(none.Started);
        Assert.Equal("e=invalid-encoding", Encoding.UTF8.GetString(none.Failure!.Value.Message));
        Assert.Equal("e=invalid-encoding", Encoding.UTF8.GetString(bad.Failure!.Value.Message));
    }

    [Fact]
    public async Task A_store_that_cannot_be_read_is_unavailable()
    {
        _users.Broken = true;

        var start = await _auth.StartAsync(ScramSha256.Mechanism, "n,,n=alice,r=abc"u8.ToArray(), default);

        Assert.False(start.Started);
        Assert.Contains("disk gone", start.Unavailable, StringComparison.Ordinal);
    }

    [Fact]
    public void Offering_a_method_without_a_user_store_stops_start_up()
    {
        Assert.Throws<InvalidOperationException>(() => new EnhancedAuthenticator([ScramSha256.Mechanism], null, PasswordHash.MinIterations));
        Assert.Empty(new EnhancedAuthenticator([], null, PasswordHash.MinIterations).Methods);
    }

    [Fact]
    public void Auth_EnhancedMethods_is_checked_at_start_up_naming_the_key()
    {
        var validator = new AuthOptionsValidator();

        Assert.True(validator.Validate(null, new AuthOptions { EnhancedMethods = [ScramSha256.Mechanism] }).Succeeded);
        var failures = validator.Validate(null, new AuthOptions { EnhancedMethods = ["SCRAM-SHA-1", ScramSha256.Mechanism, ScramSha256.Mechanism] }).Failures!;
        Assert.Contains(failures, f => f.StartsWith("Auth:EnhancedMethods:0 'SCRAM-SHA-1' is not an enhanced authentication method", StringComparison.Ordinal));
        Assert.Contains("Auth:EnhancedMethods:2 'SCRAM-SHA-256' is listed twice", failures);
    }

    private sealed class Users : IUserStore
    {
        private readonly ConcurrentDictionary<string, UserRecord> _users = new(StringComparer.Ordinal);

        public bool Broken { get; set; }

        public void Put(UserRecord user) => _users[user.UserName] = user;

        public Task<UserRecord?> GetAsync(string userName, CancellationToken cancellationToken = default) =>
            Broken ? throw new IOException("disk gone") : Task.FromResult(_users.TryGetValue(userName, out var user) ? user : null);

        public Task PutAsync(UserRecord user, CancellationToken cancellationToken = default)
        {
            Put(user);
            return Task.CompletedTask;
        }

        public Task<bool> DeleteAsync(string userName, CancellationToken cancellationToken = default) => Task.FromResult(_users.TryRemove(userName, out _));

        public Task<IReadOnlyList<UserRecord>> ListAsync(CancellationToken cancellationToken = default) =>
            Task.FromResult<IReadOnlyList<UserRecord>>([.. _users.Values]);
    }
}
