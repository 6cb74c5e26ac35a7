using System.Collections.Concurrent;
using RobustMq.Protocol.Packets;

namespace RobustMq.Gateway.Connections;

/// <summary>
/// What an operator does on a connected client's behalf through the admin API (<c>POST /api/v1/clients/{clientid}/subscribe</c>
/// and <c>/unsubscribe</c>): a SUBSCRIBE or UNSUBSCRIBE as if the client had sent it (same limits, ACL as the client,
/// session and routes, retained messages after a subscribe), with no SUBACK or UNSUBACK sent to it (it asked for
/// nothing). Run by the connection's read loop between two reads (also between two waits of a throttled client), as
/// <see cref="AclChanged"/> is, so that it never runs beside a packet of the client's; work cancelled before the loop
/// took it (<see cref="OnBehalfWork.TryCancel"/>) is skipped. Costs a connection nothing until used.
/// </summary>
public sealed partial class MqttConnection
{
    /// <summary>Work queued for the read loop; created at the first use.</summary>
    private ConcurrentQueue<Func<Task>>? _adminWork;

    /// <summary>1 while <see cref="_adminWork"/> may hold work the read loop has not run.</summary>
    private int _adminPending;

    /// <summary>The subscriptions the connection serves now.</summary>
    public int SubscriptionCount => Volatile.Read(ref _subscribed).Length;

    /// <summary>QoS 1 and 2 deliveries sent and not yet acknowledged.</summary>
    public int InflightCount => _outbound.InflightCount;

    /// <summary>
    /// Subscribes the client to <paramref name="subscriptions"/> (filters already valid) as if it had sent a SUBSCRIBE:
    /// the SUBACK's reason codes, one per subscription (<see cref="OnBehalfWork.Task"/>). Null when the connection is not
    /// serving a client.
    /// </summary>
    public OnBehalfWork? SubscribeOnBehalf(IReadOnlyList<TopicSubscription> subscriptions) =>
        RunOnLoop(() => SubscribeAsync(new SubscribePacket { PacketId = 1, Subscriptions = [.. subscriptions] }, reply: false));

    /// <summary>Unsubscribes the client from <paramref name="filters"/> as if it had sent an UNSUBSCRIBE: the UNSUBACK's reason codes. Null when the connection is not serving a client.</summary>
    public OnBehalfWork? UnsubscribeOnBehalf(IReadOnlyList<string> filters) =>
        RunOnLoop(() => UnsubscribeAsync(new UnsubscribePacket { PacketId = 1, Filters = [.. filters] }, reply: false));

    private OnBehalfWork? RunOnLoop(Func<Task<byte[]>> work)
    {
        if (!_connected || _closing || ClientId is null)
        {
            return null;
        }

        var done = new TaskCompletionSource<byte[]>(TaskCreationOptions.RunContinuationsAsynchronously);
        CancellationTokenRegistration closed;
        try
        {
            // A connection that closes before its loop ran the work answers at once (the loop no longer reads).
            closed = _closed.Token.Register(static state => ((TaskCompletionSource<byte[]>)state!).TrySetException(new ConnectionClosedException()), done);
        }
        catch (ObjectDisposedException)
        {
            return null;
        }

        var item = new OnBehalfWork(done);
        var queue = _adminWork ?? Interlocked.CompareExchange(ref _adminWork, new(), null) ?? _adminWork;
        queue.Enqueue(async () =>
        {
            if (!item.TryStart())
            {
                // The API gave up waiting and answered that nothing changed.
                await closed.DisposeAsync();
                return;
            }

            try
            {
                done.TrySetResult(_closing ? throw new ConnectionClosedException() : await work());
            }
            catch (Exception ex)
            {
                done.TrySetException(ex);
            }
            finally
            {
                await closed.DisposeAsync();
            }
        });
        Volatile.Write(ref _adminPending, 1);
        _transport.Input.CancelPendingRead();
        return item;
    }

    /// <summary>What the read loop does between two reads: an ACL change, then the work queued for the API.</summary>
    private async Task RunLoopWorkAsync()
    {
        if (Volatile.Read(ref _aclChanged) != 0)
        {
            await ApplyAclChangeAsync();
        }

        if (Volatile.Read(ref _adminPending) != 0)
        {
            await RunAdminWorkAsync();
        }
    }

    /// <summary>Runs the queued work, in order (the read loop, between two reads).</summary>
    private async Task RunAdminWorkAsync()
    {
        Volatile.Write(ref _adminPending, 0);
        while (_adminWork!.TryDequeue(out var work))
        {
            await work();
        }
    }
}
