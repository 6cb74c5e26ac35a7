namespace RobustMq.Grains.Tests.Infrastructure;

/// <summary>Every grain test shares one two-silo cluster (starting one costs seconds).</summary>
[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<ClusterFixture>
{
    public const string Name = "cluster";
}
