using RobustMq.Integration.Tests.Infrastructure;

namespace RobustMq.Integration.Tests.Security;

/// <summary>
/// A broker that lets in only the users of its built-in store (<c>Auth:Sources:0=builtin</c>, anonymous refused), with
/// an ACL file that denies <c>vault/#</c> to everyone, so a superuser's bypass shows.
/// </summary>
public sealed class AuthBrokerFixture : BrokerFixture
{
    private readonly string _acl = Path.Combine(Path.GetTempPath(), $"robustmq-auth-acl-{Guid.NewGuid():N}.acl");

    public AuthBrokerFixture() => File.WriteAllText(_acl, "deny all vault/#\nallow all #\n");

    protected override IEnumerable<string> ExtraArguments =>
        ["--Auth:AllowAnonymous=false", "--Auth:Sources:0=builtin", $"--Acl:File={_acl}"];

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        File.Delete(_acl);
    }
}
