using RobustMq.Abstractions.Sessions;
using RobustMq.Grains.Tests.Infrastructure;

namespace RobustMq.Grains.Tests.Sessions;

[Collection(ClusterCollection.Name)]
public sealed class SessionDirectoryTests(ClusterFixture cluster)
{
    private static readonly ConnectionRef First = new("node-a", 1);
    private static readonly ConnectionRef Second = new("node-b", 2);

    [Fact]
    public async Task A_clean_claim_of_a_free_id_succeeds_and_a_second_one_returns_the_holder_to_close()
    {
        var directory = Directory("dir-clean");

        var first = await directory.Claim("dir-clean", First, backed: false);
        var second = await directory.Claim("dir-clean", Second, backed: false);

        Assert.Equal(new SessionClaim(null, false), first);
        Assert.Equal(new SessionClaim(First, false), second);
        Assert.Equal(new SessionClaim(Second, false), await directory.Lookup("dir-clean"));
    }

    [Fact]
    public async Task A_clean_claim_of_an_id_a_session_grain_holds_changes_nothing_and_says_so()
    {
        var directory = Directory("dir-backed");
        await directory.Claim("dir-backed", First, backed: true);

        var claim = await directory.Claim("dir-backed", Second, backed: false);

        Assert.Equal(new SessionClaim(First, true), claim);
        Assert.Equal(new SessionClaim(First, true), await directory.Lookup("dir-backed"));
    }

    [Fact]
    public async Task A_release_by_a_connection_that_was_taken_over_keeps_the_new_holder()
    {
        var directory = Directory("dir-release");
        await directory.Claim("dir-release", First, backed: false);
        await directory.Claim("dir-release", Second, backed: false);

        await directory.Release("dir-release", First);
        var afterStale = await directory.Lookup("dir-release");
        await directory.Release("dir-release", Second);

        Assert.Equal(new SessionClaim(Second, false), afterStale);
        Assert.Null(await directory.Lookup("dir-release"));
    }

    [Fact]
    public async Task Forget_frees_an_id_only_when_a_session_grain_held_it()
    {
        var directory = Directory("dir-forget");
        await directory.Claim("dir-forget", First, backed: false);
        await directory.Forget("dir-forget");
        var clean = await directory.Lookup("dir-forget");
        await directory.Claim("dir-forget", Second, backed: true);

        await directory.Forget("dir-forget");

        Assert.Equal(new SessionClaim(First, false), clean);
        Assert.Null(await directory.Lookup("dir-forget"));
    }

    private ISessionDirectoryGrain Directory(string clientId) => SessionDirectory.For(cluster.Client, clientId);
}
