using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Orleans.Serialization;
using RobustMq.Abstractions.Routing;
using RobustMq.Storage;

namespace RobustMq.Grains.Routing;

/// <summary>
/// The stored route table (<see cref="RouteTableOptions.Durable"/>): one keyed record per route in space
/// <see cref="Space"/>, key <c>{shard:D2}/{hash}</c> where hash is 32 hex digits of the SHA-256 of the route's fields
/// (so an equal route has the same key, whatever its serialized form), value the route in Orleans' serialized form.
/// </summary>
public sealed class StoredRoutes(Serializer<RouteEntry> serializer)
{
    public const string Space = "routes";

    /// <summary>The key prefix of one shard's routes.</summary>
    public static string PrefixOf(int shard) => shard.ToString("D2", CultureInfo.InvariantCulture) + "/";

    public static string KeyOf(int shard, RouteEntry route)
    {
        var fields = string.Join('\0',
            route.Filter, route.ClientId, route.Node, route.QoS.ToString(CultureInfo.InvariantCulture), route.NoLocal ? "1" : "0",
            route.RetainAsPublished ? "1" : "0", route.SubscriptionId.ToString(CultureInfo.InvariantCulture), route.ShareGroup ?? "\u0001",
            route.CheckRead ? "1" : "0", route.UserName ?? "\u0001", route.Persistent ? "1" : "0");
        return PrefixOf(shard) + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(fields)), 0, 16);
    }

    /// <summary>Adds each change to <paramref name="batch"/>: a put for an added route, a delete for a removed one.</summary>
    public StorageBatch AddTo(StorageBatch batch, int shard, IEnumerable<RouteChange> changes)
    {
        foreach (var change in changes)
        {
            var key = KeyOf(shard, change.Entry);
            if (change.Add)
            {
                batch.Put(Space, key, serializer.SerializeToArray(change.Entry));
            }
            else
            {
                batch.Delete(Space, key);
            }
        }

        return batch;
    }

    /// <summary>Every stored route of <paramref name="shard"/>.</summary>
    public async Task<List<RouteEntry>> LoadAsync(IStorageEngine engine, int shard, CancellationToken cancellationToken)
    {
        var routes = new List<RouteEntry>();
        await foreach (var entry in engine.ScanAsync(Space, PrefixOf(shard), cancellationToken))
        {
            routes.Add(serializer.Deserialize(entry.Value) ?? throw new InvalidDataException($"stored route {entry.Key} is empty"));
        }

        return routes;
    }
}
