using RobustMq.Integration.Tests.Infrastructure;

namespace RobustMq.Integration.Tests.Admin;

/// <summary>
/// The broker of <see cref="ConfigApiTests"/>: an ACL file of one rule that no test's topic meets (so <c>Acl:NoMatch</c>
/// decides), which a test may break and mend (<see cref="AclFile"/>), and an HTTP authentication URL with user
/// information and a token in its query, which <c>GET /api/v1/configs</c> must not show (the source is not used).
/// </summary>
public sealed class ConfigBrokerFixture : BrokerFixture
{
    /// <summary>The URL of <c>Auth:Http:Url</c>, secrets included.</summary>
    public const string AuthUrl = "https://cfg-user:cfg-url-pass@auth.invalid/mqtt/check?token=cfg-url-token";

    public ConfigBrokerFixture() => File.WriteAllText(AclFile, ValidAcl);

    /// <summary>The ACL file every node reads (one path: the cluster's silos run on this machine).</summary>
    public string AclFile { get; } = Path.Combine(Path.GetTempPath(), $"robustmq-config-acl-{Guid.NewGuid():N}.acl");

    /// <summary>The file's valid content.</summary>
    public const string ValidAcl = "deny all cfg/never/#\n";

    protected override IEnumerable<string> ExtraArguments => [$"--Acl:File={AclFile}", $"--Auth:Http:Url={AuthUrl}"];

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        File.Delete(AclFile);
    }
}
