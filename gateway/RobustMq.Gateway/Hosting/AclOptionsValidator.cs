using Microsoft.Extensions.Options;
using RobustMq.Gateway.Security;

namespace RobustMq.Gateway.Hosting;

/// <summary>Reads the ACL file at start-up, so a missing file or a bad rule stops the broker naming the key and line.</summary>
public sealed class AclOptionsValidator : IValidateOptions<AclOptions>
{
    public ValidateOptionsResult Validate(string? name, AclOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        if (options.NoMatch?.ToLowerInvariant() is not ("allow" or "deny"))
        {
            errors.Add($"Acl:NoMatch must be allow or deny (got '{options.NoMatch}')");
        }

        if (options.DenyAction?.ToLowerInvariant() is not ("ignore" or "disconnect"))
        {
            errors.Add($"Acl:DenyAction must be ignore or disconnect (got '{options.DenyAction}')");
        }

        for (var i = 0; i < options.Sources.Length; i++)
        {
            var source = options.Sources[i];
            if (!AclOptions.KnownSources.Contains(source))
            {
                errors.Add($"Acl:Sources:{i} '{source}' is not an ACL source (one of: {string.Join(", ", AclOptions.KnownSources)})");
            }
            else if (Array.IndexOf(options.Sources, source) != i)
            {
                errors.Add($"Acl:Sources:{i} '{source}' is listed twice");
            }
        }

        foreach (var (source, section, sql) in new[] { ("postgres", "Acl:Postgres", options.Postgres), ("mysql", "Acl:MySql", options.MySql) })
        {
            if (!options.Sources.Contains(source))
            {
                continue;
            }

            errors.AddRange(ExternalStoreChecks.SqlProblems(source, section, sql.ConnectionString, sql.Query, sql.TimeoutSeconds));
        }

        if (options.Sources.Contains("redis"))
        {
            errors.AddRange(ExternalStoreChecks.RedisProblems("Acl:Redis", options.Redis.ConnectionString, options.Redis.TimeoutMs));
        }

        if (options.ReloadSeconds is < 0 or > 86_400)
        {
            errors.Add($"Acl:ReloadSeconds must be 0 (never) or 1-86400 (got {options.ReloadSeconds})");
        }

        if (options.Sources.Contains("http"))
        {
            var http = options.Http;
            if (!Uri.TryCreate(http.Url, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
            {
                errors.Add($"Acl:Sources has http: Acl:Http:Url must be an http or https URL (got '{http.Url}')");
            }

            if (http.TimeoutMs is < 1 or > 60_000)
            {
                errors.Add($"Acl:Http:TimeoutMs must be 1-60000 (got {http.TimeoutMs})");
            }
        }

        if (errors.Count > 0)
        {
            return ValidateOptionsResult.Fail(errors);
        }

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
