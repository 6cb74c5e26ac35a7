namespace RobustMq.Gateway.Hosting;

/// <summary>The <c>Acl</c> section: the rules file (none: everything is allowed).</summary>
public sealed class AclOptions
{
    public const string Section = "Acl";

    public string? File { get; set; }
}
