using Microsoft.Extensions.Logging;
using RobustMq.Abstractions.Messages;
using RobustMq.Abstractions.Sessions;
using RobustMq.Protocol.Packets;
using RobustMq.Protocol.ReasonCodes;

namespace RobustMq.Gateway.Connections;

/// <summary>
/// A persistent session's QoS 1/2 deliveries in storage while this connection serves it (issue 10: a publisher is
/// acknowledged only for what survives a crash, the session's copy included while its client has not acknowledged
/// it). Each delivery the connection accepts is stored as a record of the session's queue under the next sequence of
/// the range the session grain reserved (<see cref="ConnectResult.QueueSequence"/>) before the publisher's
/// acknowledgement; the record is deleted when the client acknowledges it (PUBACK, PUBCOMP). A QoS 2 delivery is
/// stored again with its packet id before its PUBLISH is flushed, and again as released before its PUBREL is sent, so
/// after a crash it is resent as the client last saw it (PUBLISH with DUP and the same id, or PUBREL), never delivered
/// twice. A QoS 1 delivery resent after a crash takes a new packet id (the client may see it twice, as QoS 1 allows).
/// What is unacknowledged when the connection ends goes back to the session grain with its record.
/// </summary>
public sealed partial class MqttConnection
{
    // The sequence of the next record; 0 when this connection's session keeps nothing in storage.
    private long _queueSequence;

    // Writes the write loop waits for before it flushes (QoS 2 sends with their packet ids); write loop only.
    private List<Task>? _storesBeforeFlush;

    // Set while a persistent session's CONNECT attaches it: completes once the deliveries that came meanwhile are
    // stored (or the session keeps nothing), faults when they could not be (or the CONNECT failed). Also the lock that
    // keeps a delivery from slipping between StoreEarly's take and its stamp (no lock object for other connections).
    private TaskCompletionSource? _attaching;

    /// <summary>A persistent session's CONNECT begins: deliveries that come until <see cref="StoreEarly"/> wait for it.</summary>
    private void BeginAttach() =>
        Volatile.Write(ref _attaching, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

    /// <summary>
    /// The session answered: from now on deliveries are stored as they come (<paramref name="queueSequence"/>, 0 when
    /// it keeps nothing); returns those that came before, each stored now when they are the session's
    /// (<paramref name="storeEarly"/>; not when the CONNECT ended the old session they were routed to), and lets their
    /// publishers have their acknowledgements once the writes complete (or refuses them if they fail).
    /// </summary>
    private PendingMessage[] StoreEarly(long queueSequence, bool storeEarly)
    {
        PendingMessage[] early;
        var attaching = Volatile.Read(ref _attaching);
        if (attaching is null)
        {
            // Nothing waits: no delivery is stored before this, so none can slip by.
            Volatile.Write(ref _queueSequence, queueSequence);
            early = _outbound.TakeQueued();
        }
        else
        {
            lock (attaching)
            {
                Volatile.Write(ref _queueSequence, queueSequence);
                early = _outbound.TakeQueued();
                Volatile.Write(ref _attaching, null);
            }
        }

        List<Task>? writes = null;
        for (var i = 0; storeEarly && i < early.Length; i++)
        {
            early[i] = Store(early[i], out var stored);
            if (!stored.IsCompletedSuccessfully)
            {
                (writes ??= []).Add(stored);
            }
        }

        if (attaching is not null)
        {
            if (writes is null)
            {
                attaching.TrySetResult();
            }
            else
            {
                _ = CompleteWhenStoredAsync(attaching, writes);
            }
        }

        return early;

        static async Task CompleteWhenStoredAsync(TaskCompletionSource attaching, List<Task> writes)
        {
            try
            {
                await Task.WhenAll(writes);
                attaching.TrySetResult();
            }
            catch (Exception ex)
            {
                attaching.TrySetException(NotStored(ex));
            }
        }
    }

    /// <summary>A failed store write as the publisher is told of it.</summary>
    private static MessageNotStoredException NotStored(Exception ex) =>
        ex as MessageNotStoredException ?? new MessageNotStoredException(ex.Message, ex);

    /// <summary>The CONNECT failed: what came meanwhile is not stored, and its publishers are refused.</summary>
    private void FailAttach()
    {
        var attaching = Volatile.Read(ref _attaching);
        Volatile.Write(ref _attaching, null);
        attaching?.TrySetException(new MessageNotStoredException("the session could not be attached"));
    }

    // A QoS 1 publish's copies still being stored (read loop only); PUBACKs waiting for them, in order.
    private List<Task>? _pendingStores;
    private Task _ackTail = Task.CompletedTask;

    // PUBACKs in the _ackTail chain not sent yet (the read loop adds, the chain's continuations take away).
    private int _waitingAcknowledgements;

    /// <summary>
    /// Acknowledges an inbound QoS 1 publish once the copies the router left in <see cref="_pendingStores"/> are stored
    /// (at once when there are none and no earlier acknowledgement waits); any other QoS at once. PUBACKs keep the
    /// order of their PUBLISHes (MQTT 4.6). Read loop only.
    /// </summary>
    private void AcknowledgeWhenStored(QoS qos, ushort packetId, ReasonCode reason)
    {
        if (qos != QoS.AtLeastOnce || (_ackTail.IsCompleted && (_pendingStores is null || _pendingStores.Count == 0)))
        {
            Acknowledge(qos, packetId, reason);
            return;
        }

        Task[] stores = [];
        if (_pendingStores is { Count: > 0 } pending)
        {
            stores = [.. pending];
            pending.Clear();
        }

        Interlocked.Increment(ref _waitingAcknowledgements);
        _ackTail = AcknowledgeAfterAsync(_ackTail, stores, packetId, reason);
    }

    /// <summary>Runs <paramref name="acknowledge"/> once the acknowledgements before it went out (read loop only).</summary>
    private void AfterEarlierAcknowledgements(Action acknowledge)
    {
        if (_ackTail.IsCompleted)
        {
            acknowledge();
            return;
        }

        _ackTail = RunAfterAsync(_ackTail, acknowledge);

        static async Task RunAfterAsync(Task previous, Action action)
        {
            await previous;
            action();
        }
    }

    private async Task AcknowledgeAfterAsync(Task previous, Task[] stores, ushort packetId, ReasonCode reason)
    {
        try
        {
            await previous;
            foreach (var store in stores)
            {
                await store;
            }
        }
        catch (Exception ex)
        {
            // Not stored for a persistent subscriber that needs it: not acknowledged as accepted.
            Interlocked.Decrement(ref _waitingAcknowledgements);
            RefuseNotStored(QoS.AtLeastOnce, packetId, NotStored(ex));
            return;
        }

        Interlocked.Decrement(ref _waitingAcknowledgements);
        Acknowledge(QoS.AtLeastOnce, packetId, reason);
    }

    /// <summary>
    /// A QoS 1/2 delivery of a persistent session, not stored yet, gets its record: returns it with its
    /// <see cref="PendingMessage.StoreSequence"/> set, and the write in <paramref name="stored"/>. Anything else is
    /// returned as it is, with a completed <paramref name="stored"/>.
    /// </summary>
    private PendingMessage Store(PendingMessage message, out Task stored)
    {
        if (message.QoS == 0 || message.StoreSequence != 0 || Volatile.Read(ref _queueSequence) == 0)
        {
            // While a persistent session is being attached, its publishers wait until the CONNECT stored what came.
            stored = message.QoS != 0 && message.StoreSequence == 0 && Volatile.Read(ref _attaching) is { } attaching ? attaching.Task : Task.CompletedTask;
            return message;
        }

        // Deliveries come from many publishers' threads at once: each takes its own sequence.
        var stamped = message with { StoreSequence = Interlocked.Increment(ref _queueSequence) - 1 };
        stored = _services.SessionStore.PutAsync(ClientId!, stamped);
        return stamped;
    }

    /// <summary>The record of a delivery that was acknowledged, or that will never be delivered, goes.</summary>
    private void Unstore(PendingMessage? message)
    {
        if (message is not { StoreSequence: not 0 } || ClientId is not { } clientId)
        {
            return;
        }

        var deleted = _services.SessionStore.DeleteAsync(clientId, message.StoreSequence);
        if (!deleted.IsCompletedSuccessfully)
        {
            _ = LogIfFailedAsync(deleted, "deleting an acknowledged message's record");
        }
    }

    /// <summary>
    /// The QoS 2 delivery in <paramref name="message"/> goes out under <paramref name="packetId"/>: stored with it
    /// before the write loop flushes (write loop only).
    /// </summary>
    private void StoreBeforeFlush(PendingMessage message, ushort packetId)
    {
        if (message.QoS == 2 && message.StoreSequence != 0 && message.PacketId != packetId)
        {
            (_storesBeforeFlush ??= []).Add(_services.SessionStore.PutAsync(ClientId!, message with { PacketId = packetId }));
        }
    }

    /// <summary>
    /// Waits for the writes a flush must follow. False when one failed: the QoS 2 deliveries written since the last flush
    /// must not reach the client under a packet id their records do not hold (after a crash they would be resent under
    /// another id and delivered twice), so the connection is cut off without flushing; its session gets them back with
    /// their records and sends them again on the next connection.
    /// </summary>
    private async ValueTask<bool> AwaitStoresBeforeFlushAsync()
    {
        var stores = _storesBeforeFlush!;
        _storesBeforeFlush = null;
        var stored = true;
        foreach (var store in stores)
        {
            try
            {
                await store;
            }
            catch (Exception ex)
            {
                LogStoreFailed(_services.Logger, ex, Ref.ConnectionId, LogClientId, "storing a QoS 2 delivery's packet id");
                stored = false;
            }
        }

        return stored;
    }

    private async Task LogIfFailedAsync(Task write, string operation)
    {
        try
        {
            await write;
        }
        catch (Exception ex)
        {
            LogStoreFailed(_services.Logger, ex, Ref.ConnectionId, LogClientId, operation);
        }
    }

    [LoggerMessage(EventId = 1011, Level = LogLevel.Warning, Message = "Connection {ConnectionId} ({ClientId}): {Operation} failed")]
    private static partial void LogStoreFailed(ILogger logger, Exception ex, long connectionId, string clientId, string operation);
}
