using Microsoft.Extensions.Options;

namespace RobustMq.Gateway.Security.Authentication;

/// <summary>Stops start-up on a bad <c>Auth</c> section, naming the key.</summary>
public sealed class AuthOptionsValidator : IValidateOptions<AuthOptions>
{
    public ValidateOptionsResult Validate(string? name, AuthOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < options.Sources.Length; i++)
        {
            var source = options.Sources[i];
            if (!AuthOptions.KnownSources.Contains(source))
            {
                errors.Add($"Auth:Sources:{i} '{source}' is not an authentication source (one of: {string.Join(", ", AuthOptions.KnownSources)})");
            }
            else if (!seen.Add(source))
            {
                errors.Add($"Auth:Sources:{i} '{source}' is listed twice");
            }
        }

        if (options.BuiltIn.Iterations < PasswordHash.MinIterations)
        {
            errors.Add($"Auth:BuiltIn:Iterations {options.BuiltIn.Iterations} is below {PasswordHash.MinIterations}");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
