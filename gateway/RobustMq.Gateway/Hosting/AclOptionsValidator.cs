using Microsoft.Extensions.Options;
using RobustMq.Gateway.Security;

namespace RobustMq.Gateway.Hosting;

/// <summary>Reads the ACL file at start-up, so a missing file or a bad rule stops the broker naming the key and line.</summary>
public sealed class AclOptionsValidator : IValidateOptions<AclOptions>
{
    public ValidateOptionsResult Validate(string? name, AclOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.File))
        {
            return ValidateOptionsResult.Success;
        }

        if (!System.IO.File.Exists(options.File))
        {
            return ValidateOptionsResult.Fail($"Acl:File '{options.File}' does not exist");
        }

        try
        {
            AclRuleSet.Load(options.File);
            return ValidateOptionsResult.Success;
        }
        catch (FormatException ex)
        {
            return ValidateOptionsResult.Fail($"Acl:File: {ex.Message}");
        }
    }
}
