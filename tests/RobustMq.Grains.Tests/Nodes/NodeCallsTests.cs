using Orleans.Runtime;
using RobustMq.Abstractions.Nodes;
using RobustMq.Grains.Tests.Infrastructure;

namespace RobustMq.Grains.Tests.Nodes;

/// <summary>What a failed call to a node's dispatcher says about whether it ran (<see cref="NodeCalls.NeverRan"/>).</summary>
[Collection(ClusterCollection.Name)]
public sealed class NodeCallsTests(ClusterFixture cluster)
{
    [Fact]
    public async Task A_call_to_the_dispatcher_of_a_node_that_is_not_a_silo_is_refused_before_it_runs()
    {
        // A node name no silo of the cluster has (a silo that left or was declared dead looks the same to placement).
        var gone = NodeNames.Of(SiloAddress.New(System.Net.IPAddress.Loopback, 1, 1));

        var error = await Assert.ThrowsAsync<NodeNotActiveException>(() =>
            cluster.Client.GetGrain<INodeDispatcherGrain>(gone).Deliver([]));

        Assert.True(NodeCalls.NeverRan(error), "a call placement refused never ran: its deliveries may go to the sessions");
    }

    [Fact]
    public void A_silo_that_died_with_the_call_in_flight_may_have_run_it()
    {
        Assert.False(NodeCalls.NeverRan(new SiloUnavailableException("gone")));
        Assert.False(NodeCalls.NeverRan(new TimeoutException()));
    }
}
