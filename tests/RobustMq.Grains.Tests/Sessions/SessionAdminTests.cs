using RobustMq.Abstractions.Sessions;
using RobustMq.Grains.Tests.Infrastructure;

namespace RobustMq.Grains.Tests.Sessions;

/// <summary>What the admin API reads and does through the session grains (issue 14): the directory's listing, and Discard.</summary>
[Collection(ClusterCollection.Name)]
public sealed class SessionAdminTests(ClusterFixture cluster)
{
    [Fact]
    public async Task The_directory_lists_a_stored_session_and_discard_ends_it_and_frees_its_id()
    {
        var client = new TestClient(cluster, "admin-discard");
        await client.ConnectAsync(cleanStart: true);
        await client.SubscribeAsync("admin/discard/#");
        await client.DisconnectAsync();
        var directory = SessionDirectory.For(cluster.Client, client.ClientId);

        var listed = Assert.Single((await directory.Query(new SessionQuery(int.MaxValue, client.ClientId))).Entries, e => e.ClientId == client.ClientId);
        Assert.True(listed.Persistent);

        Assert.True(await client.Session.Discard());

        Assert.False((await client.Session.GetInfo()).Exists);
        Assert.DoesNotContain((await directory.Query(new SessionQuery(int.MaxValue, client.ClientId))).Entries, e => e.ClientId == client.ClientId);
        Assert.Null(await directory.Lookup(client.ClientId));
        Assert.False(await client.Session.Discard());
    }
}
