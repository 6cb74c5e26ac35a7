using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using RobustMq.Abstractions.Sessions;
using RobustMq.Grains.Storage;
using RobustMq.Storage;

namespace RobustMq.Grains.Sessions;

/// <summary>
/// The subscriptions of persistent sessions, one keyed record each: space <see cref="Space"/>, key the session's
/// prefix (<see cref="SessionQueue.PrefixOf"/>) and the SHA-256 of the filter in hex (a filter may be longer than a
/// key may be), value the subscription (<see cref="Encode"/>). Whoever serves the session writes them: its connection
/// on SUBSCRIBE and UNSUBSCRIBE (<see cref="SaveAsync"/>, before the SUBACK/UNSUBACK), its grain when it changes
/// them itself (a backend service's call, a new reader's ACL checks, the session's end). The grain loads them when it
/// is activated and again when it takes the session back from a connection.
/// </summary>
public sealed class SessionSubscriptions(StorageEngines storage)
{
    /// <summary>The keyed space of subscriptions.</summary>
    public const string Space = "subscriptions";

    /// <summary>The length of the filter's part of a key (SHA-256 in hex).</summary>
    public const int FilterHashLength = 64;

    private const byte Version1 = 1;

    /// <summary>The key of <paramref name="filter"/> (as subscribed) under the session prefix <paramref name="prefix"/>.</summary>
    public static string Key(string prefix, string filter) => prefix + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(filter)));

    /// <summary>
    /// Version 1: <c>01 filter qos options retainHandling subscriptionId:u32 [userName]</c>, the fields as in
    /// <see cref="SessionRecord"/>'s subscriptions.
    /// </summary>
    public static byte[] Encode(SubscriptionRecord subscription)
    {
        ArgumentNullException.ThrowIfNull(subscription);
        var writer = new ArrayBufferWriter<byte>(32 + subscription.Filter.Length);
        RecordWriter.Byte(writer, Version1);
        SessionRecord.WriteSubscription(writer, subscription);
        return writer.WrittenSpan.ToArray();
    }

    /// <summary>The subscription stored as <paramref name="value"/>.</summary>
    /// <exception cref="StorageException">Kind Corrupt: not a record this version can read.</exception>
    public static SubscriptionRecord Decode(ReadOnlyMemory<byte> value) => RecordReader.Decode(value, "subscription", Read);

    /// <summary>Every stored subscription of the session with <paramref name="prefix"/>.</summary>
    public static async Task<List<SubscriptionRecord>> LoadAsync(IStorageEngine store, string prefix)
    {
        var found = new List<SubscriptionRecord>();
        await foreach (var entry in store.ScanAsync(Space, prefix))
        {
            found.Add(Decode(entry.Value));
        }

        return found;
    }

    /// <summary>
    /// Stores <paramref name="put"/> and deletes <paramref name="removed"/> (filters as subscribed) for
    /// <paramref name="clientId"/>'s session, in one write; completes once durable as <c>Storage:Sync</c> promises.
    /// </summary>
    /// <exception cref="StorageException">The write failed: the SUBACK must not report the subscriptions as granted.</exception>
    public async Task SaveAsync(string clientId, IReadOnlyList<SubscriptionRecord> put, IReadOnlyList<string> removed)
    {
        var prefix = SessionQueue.PrefixOf(clientId) ?? throw new StorageException(StorageErrorKind.Unavailable, "the client id is too long for a storage key");
        var batch = AddTo(new StorageBatch(), prefix, put, removed);
        if (!batch.IsEmpty)
        {
            await storage.ForState().WriteAsync(batch);
        }
    }

    /// <summary>Adds to <paramref name="batch"/> the puts of <paramref name="put"/> and the deletes of <paramref name="removed"/> (filters as subscribed) under the session prefix <paramref name="prefix"/>.</summary>
    public static StorageBatch AddTo(StorageBatch batch, string prefix, IEnumerable<SubscriptionRecord> put, IEnumerable<string> removed)
    {
        ArgumentNullException.ThrowIfNull(batch);
        foreach (var subscription in put)
        {
            batch.Put(Space, Key(prefix, subscription.Filter), Encode(subscription));
        }

        foreach (var filter in removed)
        {
            batch.Delete(Space, Key(prefix, filter));
        }

        return batch;
    }

    private static SubscriptionRecord Read(ref RecordReader reader)
    {
        var version = reader.Byte();
        if (version != Version1)
        {
            throw new FormatException($"unknown subscription record version {version}");
        }

        return SessionRecord.ReadSubscription(ref reader);
    }
}
