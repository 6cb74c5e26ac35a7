using RobustMq.Integration.Tests.Infrastructure;

namespace RobustMq.Integration.Tests.Security;

/// <summary>
/// A broker that offers SCRAM-SHA-256 (<c>Auth:EnhancedMethods</c>) over its built-in store, with the chain of
/// <see cref="AuthBrokerFixture"/> (builtin, anonymous refused) and an ACL that gives <c>scram/alice/#</c> to user
/// alice alone, so that the ACL is seen to check the user SCRAM proved. A connect timeout of 3 s shows an exchange that
/// stops half way closed like a silent socket.
/// </summary>
public sealed class ScramBrokerFixture : BrokerFixture
{
    private readonly string _acl = Path.Combine(Path.GetTempPath(), $"robustmq-scram-acl-{Guid.NewGuid():N}.acl");

    public ScramBrokerFixture() => File.WriteAllText(_acl, "allow all scram/alice/# user=alice\ndeny all scram/alice/#\nallow all #\n");

    protected override IEnumerable<string> ExtraArguments =>
        ["--Auth:AllowAnonymous=false", "--Auth:Sources:0=builtin", "--Auth:EnhancedMethods:0=SCRAM-SHA-256", $"--Acl:File={_acl}", "--Mqtt:ConnectTimeoutSeconds=3"];

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        File.Delete(_acl);
    }
}
