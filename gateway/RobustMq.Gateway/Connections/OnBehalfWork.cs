namespace RobustMq.Gateway.Connections;

/// <summary>
/// A SUBSCRIBE or UNSUBSCRIBE queued for a connection's read loop on its client's behalf
/// (<see cref="MqttConnection.SubscribeOnBehalf"/>): it runs once, or never when it was cancelled
/// (<see cref="TryCancel"/>) before the loop took it, so an API call that gave up waiting changed nothing.
/// </summary>
public sealed class OnBehalfWork
{
    private const int Queued = 0;
    private const int Running = 1;
    private const int Cancelled = 2;

    private int _state;

    internal OnBehalfWork(TaskCompletionSource<byte[]> done) => Done = done;

    /// <summary>The reason codes, as the SUBACK or UNSUBACK would give them; fails with <see cref="ConnectionClosedException"/> when the connection closed first.</summary>
    public Task<byte[]> Task => Done.Task;

    internal TaskCompletionSource<byte[]> Done { get; }

    /// <summary>True when the loop had not taken the work: it never will (and <see cref="Task"/> never ends).</summary>
    public bool TryCancel() => Interlocked.CompareExchange(ref _state, Cancelled, Queued) == Queued;

    /// <summary>True when the loop may run the work (it was not cancelled); from then on it cannot be.</summary>
    internal bool TryStart() => Interlocked.CompareExchange(ref _state, Running, Queued) == Queued;
}
