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

    [Fact]
    public async Task Discard_of_a_connected_session_holds_against_its_DISCONNECT_that_asks_to_keep_it()
    {
        var client = new TestClient(cluster, "admin-discard-crossed");
        await client.ConnectAsync(cleanStart: false);
        await client.SubscribeAsync("admin/crossed/#");

        Assert.True(await client.Session.Discard());
        // The client's own DISCONNECT, sent as the delete came, with a Session Expiry Interval to keep the session.
        await client.DisconnectAsync(DisconnectKind.Normal, expiry: 600);

        Assert.False((await client.Session.GetInfo()).Exists);
        Assert.Null(await SessionDirectory.For(cluster.Client, client.ClientId).Lookup(client.ClientId));
    }

    [Fact]
    public async Task A_CONNECT_after_a_discard_of_a_connected_session_gets_session_present_0()
    {
        var client = new TestClient(cluster, "admin-discard-reconnect");
        await client.ConnectAsync(cleanStart: false);
        await client.SubscribeAsync("admin/reconnect/#");

        Assert.True(await client.Session.Discard());
        // The client reconnects with Clean Start 0 before its old connection handed the session back.
        var old = client.Connection;
        var again = await client.ConnectAsync(cleanStart: false);
        await client.Session.Disconnect(new DisconnectRequest(old, DisconnectKind.Abnormal, [], [], [], null));

        Assert.False(again.SessionPresent);
        Assert.Empty((await client.Session.GetInfo()).Subscriptions);
    }
}
