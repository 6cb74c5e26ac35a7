using RobustMq.Integration.Tests.Infrastructure;

namespace RobustMq.Integration.Tests.Acl;

/// <summary>A broker with an ACL file (written to a temporary file) that denies a few topics.</summary>
public sealed class AclBrokerFixture : BrokerFixture
{
    private readonly string _file = Path.Combine(Path.GetTempPath(), $"robustmq-acl-{Guid.NewGuid():N}.acl");

    public AclBrokerFixture()
    {
        File.WriteAllText(_file, """
            # integration test rules
            deny subscribe acl/nosub * reason=0x80
            deny subscribe acl/nosub87
            deny publish acl/nopub
            deny subscribe secret/#
            deny subscribe vault/# client=acl-share-denied
            deny subscribe private/hidden user=guest
            allow all #
            """);
    }

    protected override IEnumerable<string> ExtraArguments => [$"--Acl:File={_file}"];

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        File.Delete(_file);
    }
}
