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

        var methods = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < options.EnhancedMethods.Length; i++)
        {
            var method = options.EnhancedMethods[i];
            if (!AuthOptions.KnownEnhancedMethods.Contains(method))
            {
                errors.Add($"Auth:EnhancedMethods:{i} '{method}' is not an enhanced authentication method (one of: {string.Join(", ", AuthOptions.KnownEnhancedMethods)})");
            }
            else if (!methods.Add(method))
            {
                errors.Add($"Auth:EnhancedMethods:{i} '{method}' is listed twice");
            }
        }

        if (options.BuiltIn.Iterations is < PasswordHash.MinIterations or > PasswordHash.MaxIterations)
        {
            errors.Add($"Auth:BuiltIn:Iterations must be {PasswordHash.MinIterations}-{PasswordHash.MaxIterations} (got {options.BuiltIn.Iterations})");
        }

        if (options.Sources.Contains("jwt"))
        {
            var jwt = options.Jwt;
            if (jwt.Secret is not { Length: > 0 } && jwt.PublicKeyFile is not { Length: > 0 })
            {
                errors.Add("Auth:Sources has jwt: Auth:Jwt:Secret or Auth:Jwt:PublicKeyFile is required");
            }

            if (jwt.Secret is { Length: > 0 } secret && System.Text.Encoding.UTF8.GetByteCount(secret) < 32)
            {
                errors.Add("Auth:Jwt:Secret must be at least 32 bytes (HS256)");
            }

            if (jwt.PublicKeyFile is { Length: > 0 } file && !File.Exists(file))
            {
                errors.Add($"Auth:Jwt:PublicKeyFile '{file}' does not exist");
            }

            if (jwt.ClockSkewSeconds is < 0 or > 300)
            {
                errors.Add($"Auth:Jwt:ClockSkewSeconds must be 0-300 (got {jwt.ClockSkewSeconds})");
            }
        }

        foreach (var (source, section, sql) in new[] { ("postgres", "Auth:Postgres", options.Postgres), ("mysql", "Auth:MySql", options.MySql) })
        {
            if (!options.Sources.Contains(source))
            {
                continue;
            }

            errors.AddRange(ExternalStoreChecks.SqlProblems(source, section, sql.ConnectionString, sql.Query, sql.TimeoutSeconds));
            errors.AddRange(sql.Problems(section));
        }

        if (options.Sources.Contains("redis"))
        {
            var redis = options.Redis;
            errors.AddRange(ExternalStoreChecks.RedisProblems("Auth:Redis", redis.ConnectionString, redis.TimeoutMs));
            errors.AddRange(redis.Problems("Auth:Redis"));
        }

        if (options.Sources.Contains("http"))
        {
            var http = options.Http;
            if (!Uri.TryCreate(http.Url, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
            {
                errors.Add($"Auth:Sources has http: Auth:Http:Url must be an http or https URL (got '{http.Url}')");
            }

            if (http.TimeoutMs is < 1 or > 10_000)
            {
                // Below the CONNECT's own limit on the whole chain (ConnectionServices.GrainCallTimeout, 15 s).
                errors.Add($"Auth:Http:TimeoutMs must be 1-10000 (got {http.TimeoutMs})");
            }

            if (http.OnFailure == AuthOutcome.Allow)
            {
                errors.Add("Auth:Http:OnFailure must be Unavailable, Deny or Ignore (a failure never lets a client in)");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
