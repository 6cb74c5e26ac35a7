using RobustMq.Abstractions.Sessions;
using RobustMq.Grains.Sessions;
using RobustMq.Storage;

namespace RobustMq.Grains.Tests.Storage;

/// <summary>A session's subscriptions as keyed records of their own (the connection that serves the session writes them).</summary>
public sealed class SessionSubscriptionsTests
{
    private const string Prefix = "00001:c/";

    [Fact]
    public void A_subscription_round_trips_with_every_option()
    {
        SubscriptionRecord[] subscriptions =
        [
            new("a/+/b", 2, NoLocal: true, RetainAsPublished: true, RetainHandling: 2, SubscriptionId: 268_435_455, CheckRead: true, UserName: "ü-user"),
            new("$share/g/x/#", 0, NoLocal: false, RetainAsPublished: false, RetainHandling: 0, SubscriptionId: 0),
        ];

        foreach (var subscription in subscriptions)
        {
            Assert.Equal(subscription, SessionSubscriptions.Decode(SessionSubscriptions.Encode(subscription)));
        }
    }

    [Fact]
    public void Keys_are_the_session_prefix_and_a_fixed_length_hash_of_the_filter()
    {
        var shortKey = SessionSubscriptions.Key(Prefix, "a");
        var longKey = SessionSubscriptions.Key(Prefix, new string('f', 70_000));

        Assert.StartsWith(Prefix, shortKey, StringComparison.Ordinal);
        Assert.Equal(Prefix.Length + SessionSubscriptions.FilterHashLength, shortKey.Length);
        Assert.Equal(shortKey.Length, longKey.Length);
        Assert.NotEqual(shortKey, SessionSubscriptions.Key(Prefix, "b"));
        Assert.Equal(shortKey, SessionSubscriptions.Key(Prefix, "a"));
    }

    [Fact]
    public void An_unknown_version_is_corrupt()
    {
        var bytes = SessionSubscriptions.Encode(new SubscriptionRecord("a", 1, false, false, 0, 0));
        bytes[0] = 9;

        Assert.Equal(StorageErrorKind.Corrupt, Assert.Throws<StorageException>(() => SessionSubscriptions.Decode(bytes)).Kind);
    }
}
