namespace RobustMq.Integration.Tests.Infrastructure;

/// <summary>
/// A <see cref="BrokerFixture"/> with the default settings that no other class shares, in the cluster run too (where
/// plain fixtures take over the idle cluster of a finished class): for tests that change what other classes rely on,
/// such as deleting the <c>admin</c> account they log in with.
/// </summary>
public sealed class OwnBrokerFixture : BrokerFixture;
