using RobustMq.Gateway.Security;
using StackExchange.Redis;

namespace RobustMq.Gateway.Security.Authentication;

/// <summary>
/// <c>Auth:Redis</c>: where the <c>redis</c> source finds users: a hash per user at <c>KeyPrefix</c> + User Name with
/// the fields <c>password_hash</c> (required), <c>salt</c>, <c>algorithm</c> and <c>is_superuser</c> (EMQX's
/// <c>HMGET mqtt_user:${username} password_hash salt is_superuser</c>).
/// </summary>
public sealed class RedisAuthOptions : PasswordHashOptions
{
    /// <summary>The StackExchange.Redis configuration string (<c>127.0.0.1:6379,password=...</c>).</summary>
    public string? ConnectionString { get; set; }

    public string KeyPrefix { get; set; } = "mqtt_user:";

    /// <summary>How long a lookup may take, in milliseconds (1-60000).</summary>
    public int TimeoutMs { get; set; } = 5000;
}

/// <summary>
/// The <c>redis</c> authentication source: the user's hash (<see cref="RedisAuthOptions"/>). No User Name, or no hash:
/// ignored. A password that matches: allowed (a superuser when <c>is_superuser</c> is true or 1); one that does not:
/// denied. A server that cannot be reached or does not answer in time: unavailable. The connection is made at the
/// first CONNECT and kept (reconnected by StackExchange.Redis when it drops).
/// </summary>
public sealed class RedisAuthSource : IAuthSource, IAsyncDisposable
{
    private static readonly RedisValue[] Fields = ["password_hash", "salt", "algorithm", "is_superuser"];

    private readonly RedisAuthOptions _options;
    private readonly LazyRedis _redis;

    public RedisAuthSource(RedisAuthOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _redis = new LazyRedis(options.ConnectionString!, options.TimeoutMs);
    }

    public string Name => "redis";

    public async ValueTask<AuthResult> AuthenticateAsync(AuthRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.UserName is not { Length: > 0 } userName)
        {
            return AuthResult.Ignored;
        }

        RedisValue[] values;
        try
        {
            var redis = await _redis.GetAsync(cancellationToken);
            values = await redis.GetDatabase().HashGetAsync(_options.KeyPrefix + userName, Fields)
                .WaitAsync(TimeSpan.FromMilliseconds(_options.TimeoutMs), cancellationToken);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
        {
            return AuthResult.Down("redis: " + ex.Message);
        }

        if (values[0].IsNull)
        {
            return AuthResult.Ignored;
        }

        if (request.Password is not { } password)
        {
            return AuthResult.Denied("no password");
        }

        var credential = new StoredCredential(values[0]!, values[1].IsNull ? null : (string?)values[1], values[2].IsNull ? null : (string?)values[2], SqlAuthSource.IsTrue(values[3].IsNull ? null : (string?)values[3]));
        if (_options.Verify(credential, password.Span, out var unknown))
        {
            return AuthResult.Allowed(credential.Superuser);
        }

        return AuthResult.Denied(unknown is null ? "wrong password" : $"the stored algorithm '{unknown}' is not known");
    }

    public ValueTask DisposeAsync() => _redis.DisposeAsync();
}
