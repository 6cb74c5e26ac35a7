using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using MySqlConnector;
using Npgsql;
using RobustMq.Integration.Tests.Infrastructure;
using StackExchange.Redis;

namespace RobustMq.Integration.Tests.Security;

/// <summary>
/// A broker whose chain is <c>postgres</c>, <c>mysql</c>, <c>redis</c> against real servers (the run's PostgreSQL,
/// MariaDB and Redis), anonymous clients refused, and an ACL file that denies subscribing to <c>admin/#</c> and
/// <c>vip/#</c> (superusers are not checked), behind per-client rules from the same three stores (<c>Acl:Sources</c>):
/// pg-user may not publish to <c>pg/secret/#</c>, my-user may not publish to <c>my/blocked</c>, redis-user may
/// subscribe to <c>vip/#</c>. Each server knows one user: pg-user (sha256, salt prefix), my-user (pbkdf2-sha256 named by the row),
/// redis-user (sha512, salt suffix) and redis-admin (plain, superuser).
/// </summary>
public sealed class DatabaseAuthBrokerFixture : BrokerFixture
{
    private readonly string _acl = Path.Combine(Path.GetTempPath(), $"robustmq-db-auth-{Guid.NewGuid():N}.acl");
    private string _postgres = "";
    private string _mysql = "";
    private string _redis = "";
    private readonly string _redisPrefix = $"mqtt_user_{Guid.NewGuid():N}:";

    protected override IEnumerable<string> ExtraArguments =>
    [
        "--Auth:AllowAnonymous=false", "--Auth:Sources:0=postgres", "--Auth:Sources:1=mysql", "--Auth:Sources:2=redis",
        $"--Auth:Postgres:ConnectionString={_postgres}",
        "--Auth:Postgres:Query=SELECT password_hash, salt, is_superuser FROM mqtt_user WHERE username = ${username} AND ${clientid} IS NOT NULL",
        $"--Auth:MySql:ConnectionString={_mysql}",
        "--Auth:MySql:Query=SELECT password_hash, salt, algorithm, is_superuser FROM mqtt_user WHERE username = ${username} LIMIT 1",
        "--Auth:MySql:Pbkdf2Iterations=1000",
        $"--Auth:Redis:ConnectionString={_redis}", $"--Auth:Redis:KeyPrefix={_redisPrefix}",
        "--Auth:Redis:PasswordHash=sha512", "--Auth:Redis:SaltPosition=suffix",
        $"--Acl:File={_acl}",
        "--Acl:Sources:0=postgres", "--Acl:Sources:1=mysql", "--Acl:Sources:2=redis",
        $"--Acl:Postgres:ConnectionString={_postgres}", $"--Acl:MySql:ConnectionString={_mysql}",
        "--Acl:MySql:Query=SELECT permission, action, topic FROM mqtt_acl WHERE username = ${username} OR clientid = ${clientid}",
        $"--Acl:Redis:ConnectionString={_redis}", $"--Acl:Redis:KeyPrefix={_redisAclPrefix}",
    ];

    private readonly string _redisAclPrefix = $"mqtt_acl_{Guid.NewGuid():N}:";

    public static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);

    public override async Task InitializeAsync()
    {
        File.WriteAllText(_acl, "deny subscribe admin/# *\ndeny subscribe vip/# *\ndefault allow\n");

        var postgres = await SharedPostgres.GetAsync();
        var database = await postgres.CreateDatabaseAsync();
        _postgres = postgres.ConnectionString(database);
        await using (var connection = new NpgsqlConnection(_postgres))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand(
                "CREATE TABLE mqtt_user (username text PRIMARY KEY, password_hash text NOT NULL, salt text, is_superuser boolean NOT NULL DEFAULT false);"
                + "INSERT INTO mqtt_user VALUES (@u, @h, @s, false);"
                + "CREATE TABLE mqtt_acl (username text, permission text, action text, topic text);"
                + "INSERT INTO mqtt_acl VALUES ('pg-user', 'deny', 'publish', 'pg/secret/#'), ('pg-user', 'allow', 'all', 'pg/%u/#'), ('pg-user', 'deny', 'subscribe', 'pg/hidden/#')", connection);
            command.Parameters.AddWithValue("u", "pg-user");
            command.Parameters.AddWithValue("h", Hex(SHA256.HashData(Encoding.UTF8.GetBytes("pg-salt" + "pg-secret"))));
            command.Parameters.AddWithValue("s", "pg-salt");
            await command.ExecuteNonQueryAsync();
        }

        var mysqlDatabase = $"auth_{Guid.NewGuid():N}";
        await using (var server = new MySqlConnection(await SharedMariaDb.ConnectionStringAsync()))
        {
            await server.OpenAsync();
            await using var create = new MySqlCommand($"CREATE DATABASE {mysqlDatabase}", server);
            await create.ExecuteNonQueryAsync();
        }

        _mysql = await SharedMariaDb.ConnectionStringAsync(mysqlDatabase);
        await using (var connection = new MySqlConnection(_mysql))
        {
            await connection.OpenAsync();
            await using var command = new MySqlCommand(
                "CREATE TABLE mqtt_user (username VARCHAR(100) PRIMARY KEY, password_hash VARCHAR(200) NOT NULL, salt VARCHAR(100), algorithm VARCHAR(20), is_superuser TINYINT NOT NULL DEFAULT 0);"
                + "INSERT INTO mqtt_user VALUES (@u, @h, @s, 'pbkdf2-sha256', 0);"
                + "CREATE TABLE mqtt_acl (username VARCHAR(100), clientid VARCHAR(100), permission VARCHAR(10), action VARCHAR(10), topic VARCHAR(200));"
                + "INSERT INTO mqtt_acl VALUES (NULL, 'db-acl-my', 'deny', 'publish', 'my/blocked')", connection);
            command.Parameters.AddWithValue("@u", "my-user");
            command.Parameters.AddWithValue("@h", Hex(Rfc2898DeriveBytes.Pbkdf2("my-secret"u8, "my-salt"u8, 1000, HashAlgorithmName.SHA256, 32)));
            command.Parameters.AddWithValue("@s", "my-salt");
            await command.ExecuteNonQueryAsync();
        }

        _redis = await SharedRedis.ConnectionStringAsync();
        await using (var redis = await ConnectionMultiplexer.ConnectAsync(_redis))
        {
            var db = redis.GetDatabase();
            await db.HashSetAsync(_redisPrefix + "redis-user", [
                new HashEntry("password_hash", Hex(SHA512.HashData(Encoding.UTF8.GetBytes("redis-secret" + "r-salt")))),
                new HashEntry("salt", "r-salt"),
            ]);
            await db.HashSetAsync(_redisAclPrefix + "redis-user", [new HashEntry("vip/#", "subscribe")]);
            await db.HashSetAsync(_redisPrefix + "redis-admin", [
                new HashEntry("password_hash", "admin-secret"), new HashEntry("algorithm", "plain"), new HashEntry("is_superuser", "true"),
            ]);
        }

        await base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        File.Delete(_acl);
    }
}

/// <summary>A broker whose only source is a Redis that is not there: every client with a User Name hears 0x88.</summary>
public sealed class RedisDownBrokerFixture : BrokerFixture
{
    protected override IEnumerable<string> ExtraArguments =>
        ["--Auth:AllowAnonymous=false", "--Auth:Sources:0=redis", $"--Auth:Redis:ConnectionString=127.0.0.1:{FreePorts.Next()}", "--Auth:Redis:TimeoutMs=1000"];
}

/// <summary>Authentication against PostgreSQL, MariaDB and Redis (issue 13), as EMQX's password-based sources.</summary>
[Trait("Topology", "SingleNode")]
public sealed class DatabaseAuthTests(DatabaseAuthBrokerFixture broker) : IClassFixture<DatabaseAuthBrokerFixture>
{
    private async Task<MqttClientConnectResult> ConnectAsync(string clientId, string? user, string? password, MqttProtocolVersion version = MqttProtocolVersion.V500)
    {
        using var client = Mqtt.NewClient();
        var options = Mqtt.Options(broker, clientId, version);
        if (user is not null)
        {
            options.WithCredentials(user, password);
        }

        var result = await client.ConnectAsync(options.Build());
        if (client.IsConnected)
        {
            await client.DisconnectAsync();
        }

        return result;
    }

    [Theory]
    [InlineData("pg-user", "pg-secret")]
    [InlineData("my-user", "my-secret")]
    [InlineData("redis-user", "redis-secret")]
    [InlineData("redis-admin", "admin-secret")]
    public async Task Each_servers_user_gets_in_with_its_password_and_not_without(string user, string password)
    {
        Assert.Equal(MqttClientConnectResultCode.Success, (await ConnectAsync($"db-{user}", user, password)).ResultCode);
        Assert.Equal(MqttClientConnectResultCode.BadUserNameOrPassword, (await ConnectAsync($"db-{user}-wrong", user, password + "x")).ResultCode);
        Assert.Equal(MqttClientConnectResultCode.BadUserNameOrPassword, (await ConnectAsync($"db-{user}-none", user, null)).ResultCode);
    }

    [Fact]
    public async Task An_unknown_user_and_a_user_name_made_to_inject_sql_are_refused()
    {
        Assert.Equal(MqttClientConnectResultCode.BadUserNameOrPassword, (await ConnectAsync("db-nobody", "nobody", "x")).ResultCode);
        Assert.Equal(MqttClientConnectResultCode.BadUserNameOrPassword, (await ConnectAsync("db-inject", "' OR '1'='1", "x")).ResultCode);
        Assert.Equal(MqttClientConnectResultCode.NotAuthorized, (await ConnectAsync("db-anonymous", null, null)).ResultCode);
        Assert.Equal(MqttClientConnectResultCode.BadUserNameOrPassword, (await ConnectAsync("db-311", "nobody", "x", MqttProtocolVersion.V311)).ResultCode);
    }

    [Fact]
    public async Task A_superuser_from_redis_is_not_checked_against_the_ACL()
    {
        using var admin = await Mqtt.ConnectAsync(broker, "db-admin-sub", configure: o => o.WithCredentials("redis-admin", "admin-secret"));
        using var user = await Mqtt.ConnectAsync(broker, "db-user-sub", configure: o => o.WithCredentials("pg-user", "pg-secret"));

        var granted = await admin.SubscribeAsync("admin/metrics", MqttQualityOfServiceLevel.AtLeastOnce);
        var denied = await user.SubscribeAsync("admin/metrics", MqttQualityOfServiceLevel.AtLeastOnce);

        Assert.Equal(MqttClientSubscribeResultCode.GrantedQoS1, granted.Items.Single().ResultCode);
        Assert.Equal(MqttClientSubscribeResultCode.NotAuthorized, denied.Items.Single().ResultCode);
    }

    [Fact]
    public async Task Each_clients_rules_from_its_store_come_before_the_files()
    {
        using var pg = await Mqtt.ConnectAsync(broker, "db-acl-pg", configure: o => o.WithCredentials("pg-user", "pg-secret"));
        using var my = await Mqtt.ConnectAsync(broker, "db-acl-my", configure: o => o.WithCredentials("my-user", "my-secret"));
        using var redis = await Mqtt.ConnectAsync(broker, "db-acl-redis", configure: o => o.WithCredentials("redis-user", "redis-secret"));

        var secret = await pg.PublishAsync(Mqtt.Message("pg/secret/x", "no", MqttQualityOfServiceLevel.AtLeastOnce).Build());
        var own = await pg.PublishAsync(Mqtt.Message("pg/pg-user/x", "yes", MqttQualityOfServiceLevel.AtLeastOnce).Build());
        var blocked = await my.PublishAsync(Mqtt.Message("my/blocked", "no", MqttQualityOfServiceLevel.AtLeastOnce).Build());
        var open = await my.PublishAsync(Mqtt.Message("my/open", "yes", MqttQualityOfServiceLevel.AtLeastOnce).Build());
        var vip = await redis.SubscribeAsync("vip/lounge", MqttQualityOfServiceLevel.AtLeastOnce);
        var vipRefused = await pg.SubscribeAsync("vip/lounge", MqttQualityOfServiceLevel.AtLeastOnce);

        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, secret.ReasonCode);
        Assert.Equal(MqttClientPublishReasonCode.NoMatchingSubscribers, own.ReasonCode);
        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, blocked.ReasonCode);
        Assert.Equal(MqttClientPublishReasonCode.NoMatchingSubscribers, open.ReasonCode);
        Assert.Equal(MqttClientSubscribeResultCode.GrantedQoS1, vip.Items.Single().ResultCode);
        Assert.Equal(MqttClientSubscribeResultCode.NotAuthorized, vipRefused.Items.Single().ResultCode);
    }

    [Fact]
    public async Task A_subscription_wider_than_a_clients_own_deny_rule_is_refused_as_a_whole()
    {
        using var pg = await Mqtt.ConnectAsync(broker, "db-acl-wide", configure: o => o.WithCredentials("pg-user", "pg-secret"));

        var result = await pg.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
            .WithTopicFilter("pg/#").WithTopicFilter("pg/hidden/x").WithTopicFilter("pg/open/#").Build());

        // pg/# would bring pg/hidden/..., which the publishing node cannot check against pg-user's stored rules.
        Assert.Equal(
            [MqttClientSubscribeResultCode.NotAuthorized, MqttClientSubscribeResultCode.NotAuthorized, MqttClientSubscribeResultCode.GrantedQoS0],
            result.Items.Select(i => i.ResultCode));
    }

    [Fact]
    public async Task Mosquitto_pub_without_credentials_is_refused_and_with_them_gets_through()
    {
        var port = broker.MqttPort.ToString(CultureInfo.InvariantCulture);
        using (var anonymous = CliProcess.Start("/usr/bin/mosquitto_pub", "-h", "127.0.0.1", "-p", port, "-t", "db/cli", "-m", "x", "-i", "db-cli-anon", "-V", "mqttv5"))
        {
            Assert.NotEqual(0, await anonymous.WaitForExitAsync("mosquitto_pub without credentials"));
            Assert.Contains("not authori", anonymous.Describe(), StringComparison.OrdinalIgnoreCase);
        }

        using var allowed = CliProcess.Start("/usr/bin/mosquitto_pub", "-h", "127.0.0.1", "-p", port, "-t", "db/cli", "-m", "x", "-i", "db-cli-user", "-u", "my-user", "-P", "my-secret");
        Assert.Equal(0, await allowed.WaitForExitAsync("mosquitto_pub with a MariaDB user"));
    }
}

/// <summary>A broker whose ACL source is a Redis that is not there: a client whose rules cannot be read hears 0x88.</summary>
public sealed class AclDownBrokerFixture : BrokerFixture
{
    protected override IEnumerable<string> ExtraArguments =>
        ["--Acl:Sources:0=redis", $"--Acl:Redis:ConnectionString=127.0.0.1:{FreePorts.Next()}", "--Acl:Redis:TimeoutMs=1000"];
}

/// <summary>A source whose server is down answers 0x88 Server unavailable (return code 3 on 3.1.1), not 0x86.</summary>
[Trait("Topology", "SingleNode")]
public sealed class DatabaseDownTests(RedisDownBrokerFixture broker) : IClassFixture<RedisDownBrokerFixture>
{
    [Theory]
    [InlineData(MqttProtocolVersion.V500)]
    [InlineData(MqttProtocolVersion.V311)]
    public async Task A_client_hears_server_unavailable_when_redis_is_down(MqttProtocolVersion version)
    {
        using var client = Mqtt.NewClient();

        var result = await client.ConnectAsync(Mqtt.Options(broker, $"db-down-{version}", version).WithCredentials("someone", "pw").Build());

        Assert.Equal(MqttClientConnectResultCode.ServerUnavailable, result.ResultCode);
    }
}

/// <summary>An ACL source that is down: the client is refused (0x88, 3 on 3.1.1) rather than let in without its rules.</summary>
[Trait("Topology", "SingleNode")]
public sealed class AclSourceDownTests(AclDownBrokerFixture broker) : IClassFixture<AclDownBrokerFixture>
{
    [Theory]
    [InlineData(MqttProtocolVersion.V500)]
    [InlineData(MqttProtocolVersion.V311)]
    public async Task A_client_whose_rules_cannot_be_read_hears_server_unavailable(MqttProtocolVersion version)
    {
        using var client = Mqtt.NewClient();

        var result = await client.ConnectAsync(Mqtt.Options(broker, $"acl-down-{version}", version).WithCredentials("someone", "pw").Build());

        Assert.Equal(MqttClientConnectResultCode.ServerUnavailable, result.ResultCode);
    }
}
