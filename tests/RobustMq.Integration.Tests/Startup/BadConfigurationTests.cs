using RobustMq.Integration.Tests.Infrastructure;

namespace RobustMq.Integration.Tests.Startup;

/// <summary>The real executable refuses bad configuration at start-up with one line naming the key, exit code 2.</summary>
[Trait("Topology", "SingleNode")]
public sealed class BadConfigurationTests
{
    [Theory]
    [InlineData("--Listeners:Tcp:Port=0", "Listeners:Tcp:Port must be 1-65535 (got 0)")]
    [InlineData("--Mqtt:MaximumQoS=3", "Mqtt:MaximumQoS must be 0-2 (got 3)")]
    [InlineData("--Mqtt:ReceiveMaximum=0", "Mqtt:ReceiveMaximum must be 1-65535 (got 0)")]
    [InlineData("--Listeners:WebSocket:Path=mqtt", "Listeners:WebSocket:Path must start with '/'")]
    [InlineData("--Cluster:Mode=Raft", "Cluster:Mode must be Localhost or AdoNet (got 'Raft')")]
    [InlineData("--Listeners:Tls:Port=8883", "Listeners:Tls:Certificate is required when Listeners:Tls:Port is set")]
    [InlineData("--Acl:File=/nonexistent/robustmq.acl", "Acl:File '/nonexistent/robustmq.acl' does not exist")]
    [InlineData("--Listeners:MaxConnections=-1", "Listeners:MaxConnections must be 0 (from the open-file limit) or more (got -1)")]
    [InlineData("--Sys:IntervalSeconds=-1", "Sys:IntervalSeconds must be 0 (off) or more (got -1)")]
    [InlineData("--Auth:Sources:0=ldap", "Auth:Sources:0 'ldap' is not an authentication source (one of: builtin, postgres, mysql, redis, jwt, http, cert)")]
    [InlineData("--Auth:BuiltIn:Iterations=10", "Auth:BuiltIn:Iterations must be 1000-10000000 (got 10)")]
    [InlineData("--Auth:EnhancedMethods:0=SCRAM-SHA-1", "Auth:EnhancedMethods:0 'SCRAM-SHA-1' is not an enhanced authentication method (one of: SCRAM-SHA-256)")]
    [InlineData("--Flapping:MaxConnects=0", "Flapping:MaxConnects must be 1 or more (got 0)")]
    [InlineData("--Auth:Sources:0=jwt", "Auth:Sources has jwt: Auth:Jwt:Secret or Auth:Jwt:PublicKeyFile is required")]
    [InlineData("--Auth:Sources:0=http", "Auth:Sources has http: Auth:Http:Url must be an http or https URL (got '')")]
    [InlineData("--Auth:Sources:0=postgres", "Auth:Sources has postgres: Auth:Postgres:ConnectionString is required")]
    [InlineData("--Auth:Sources:0=redis", "Auth:Sources has redis: Auth:Redis:ConnectionString is required")]
    [InlineData("--Acl:NoMatch=maybe", "Acl:NoMatch must be allow or deny (got 'maybe')")]
    [InlineData("--Acl:Sources:0=ldap", "Acl:Sources:0 'ldap' is not an ACL source (one of: builtin, postgres, mysql, redis, http)")]
    [InlineData("--Admin:TokenTtlMinutes=0", "Admin:TokenTtlMinutes must be 1-10080 (got 0)")]
    [InlineData("--Admin:JwtSecret=short", "Admin:JwtSecret must be at least 32 bytes (HS256)")]
    [InlineData("--Admin:Password=short", "Admin:Password must be at least 8 characters")]
    [InlineData("--Acl:DenyAction=kick", "Acl:DenyAction must be ignore or disconnect (got 'kick')")]
    [InlineData("--Acl:Sources:0=http", "Acl:Sources has http: Acl:Http:Url must be an http or https URL (got '')")]
    [InlineData("--Acl:Sources:0=mysql", "Acl:Sources has mysql: Acl:MySql:ConnectionString is required")]
    [InlineData("--Auth:AllowAnonymous=maybe", "Auth:AllowAnonymous must be true or false (got 'maybe')")]
    [InlineData("--Mqtt:MaxTopicLevels=0", "Mqtt:MaxTopicLevels must be 1-65535 (got 0)")]
    [InlineData("--Mqtt:MaxByteRate=-5", "Mqtt:MaxByteRate must be 0-9223372036854775807 (got -5)")]
    [InlineData("--Mqtt:RateExceeded=Drop", "Mqtt:RateExceeded must be one of Throttle, Disconnect (got 'Drop')")]
    [InlineData("--Listeners:Tcp:MaxConnectionRate=-1", "Listeners:Tcp:MaxConnectionRate must be 0 (no limit) or more (got -1)")]
    [InlineData("--Listeners:CertificateReloadSeconds=-1", "Listeners:CertificateReloadSeconds must be 0 (never) or more (got -1)")]
    [InlineData("--Alarms:MemoryHighWatermark=0", "Alarms:MemoryHighWatermark must be above 0 and at most 100 (percent; got 0)")]
    [InlineData("--Alarms:CpuLowWatermark=90", "Alarms:CpuLowWatermark must be 0 or more and below Alarms:CpuHighWatermark (80) (percent; got 90)")]
    [InlineData("--SlowSubs:TopK=0", "SlowSubs:TopK must be 1-1000 (got 0)")]
    // Values that do not convert to the key's type: int, long, bool, enum, in every section.
    [InlineData("--Listeners:Tcp:Port=abc", "Listeners:Tcp:Port must be a whole number (-2147483648 to 2147483647) (got 'abc')")]
    [InlineData("--Listeners:WebSocket:Port=99999999999", "Listeners:WebSocket:Port must be a whole number (-2147483648 to 2147483647) (got '99999999999')")]
    [InlineData("--Listeners:Tcp:Enabled=yes", "Listeners:Tcp:Enabled must be true or false (got 'yes')")]
    [InlineData("--Mqtt:SharedSubscriptionStrategy=Foo", "Mqtt:SharedSubscriptionStrategy must be one of RoundRobin, Random, HashClientId, HashTopic (got 'Foo')")]
    [InlineData("--Mqtt:SharedSubscriptionStrategy=7", "Mqtt:SharedSubscriptionStrategy must be one of RoundRobin, Random, HashClientId, HashTopic (got '7')")]
    [InlineData("--Mqtt:MaxSessionExpiry=1h", "Mqtt:MaxSessionExpiry must be a whole number (got '1h')")]
    [InlineData("--Mqtt:RetainAvailable=no", "Mqtt:RetainAvailable must be true or false (got 'no')")]
    [InlineData("--Admin:Enabled=off", "Admin:Enabled must be true or false (got 'off')")]
    [InlineData("--Cluster:SiloPort=x", "Cluster:SiloPort must be a whole number (-2147483648 to 2147483647) (got 'x')")]
    [InlineData("--Sys:IntervalSeconds=ten", "Sys:IntervalSeconds must be a whole number (-2147483648 to 2147483647) (got 'ten')")]
    [InlineData("--Sys:ClientEvents=maybe", "Sys:ClientEvents must be true or false (got 'maybe')")]
    [InlineData("--Logging:LogLevel:Default=Loud", "Logging:LogLevel:Default must be one of Trace, Debug, Information, Warning, Error, Critical, None (got 'Loud')")]
    [InlineData("--Logging:Console:LogLevel:Orleans=verbose", "Logging:Console:LogLevel:Orleans must be one of Trace, Debug, Information, Warning, Error, Critical, None (got 'verbose')")]
    [InlineData("--Storage:Default=Foo", "Storage:Default must be one of Memory, RocksDb, Segment, Postgres (got 'Foo')")]
    [InlineData("--Storage:Sync=Sometimes", "Storage:Sync must be Always, None or Periodic:N with N ms from 1 to 60000 (got 'Sometimes')")]
    [InlineData("--Storage:Topics:0:Filter=a/#/b", "Storage:Topics:0:Filter must be an MQTT topic filter (got 'a/#/b')")]
    [InlineData("--Storage:Topics:0:Backend=Disk", "Storage:Topics:0:Backend must be one of Memory, RocksDb, Segment, Postgres (got 'Disk')")]
    [InlineData("--Storage:Default=Postgres", "Storage:Postgres:ConnectionString is required")]
    [InlineData("--Listeners:Tcp=1884", "Listeners:Tcp is a section (keys Enabled, Address, Port, MaxConnectionRate), not a value (got '1884')")]
    public async Task Bad_value_stops_start_up_with_one_line_naming_the_key(string argument, string expected)
    {
        var (exitCode, output) = await RunBrokerAsync(argument);

        AssertOneLine(exitCode, output, expected);
    }

    [Fact]
    public async Task Missing_config_file_stops_start_up_naming_the_file()
    {
        var (exitCode, output) = await RunBrokerAsync("--config", "no-such-robustmq.json");

        AssertOneLine(exitCode, output, "--config file 'no-such-robustmq.json' does not exist");
    }

    [Fact]
    public async Task Malformed_json_config_file_stops_start_up_naming_the_file_and_position()
    {
        var file = Path.Combine(Path.GetTempPath(), $"robustmq-bad-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, "{ \"Mqtt\": { \"MaximumQoS\": 1, }\n  \"Sys\": oops }\n");
        try
        {
            var (exitCode, output) = await RunBrokerAsync("--config", file);

            AssertOneLine(exitCode, output, $"--config file '{file}' is not valid JSON:");
            Assert.Contains("LineNumber", output, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Bad_acl_rule_stops_start_up_naming_the_line()
    {
        var acl = Path.Combine(Path.GetTempPath(), $"robustmq-bad-{Guid.NewGuid():N}.acl");
        await File.WriteAllTextAsync(acl, "allow publish a/#\nperhaps subscribe b\n");
        try
        {
            var (exitCode, output) = await RunBrokerAsync($"--Acl:File={acl}");

            AssertOneLine(exitCode, output, "Acl:File");
            Assert.Contains("line 2", output, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(acl);
        }
    }

    [Fact]
    public async Task Certificate_without_a_key_names_the_key_setting()
    {
        using var tls = new TestCertificate();

        var (exitCode, output) = await RunBrokerAsync($"--Listeners:Tls:Port={FreePorts.Next()}", $"--Listeners:Tls:Certificate={tls.CertificatePath}");

        AssertOneLine(exitCode, output, $"Listeners:Tls:Key is required: Listeners:Tls:Certificate '{tls.CertificatePath}' holds no private key");
    }

    [Fact]
    public async Task Missing_key_file_names_the_key_setting()
    {
        using var tls = new TestCertificate();

        var (exitCode, output) = await RunBrokerAsync($"--Listeners:Wss:Port={FreePorts.Next()}", $"--Listeners:Wss:Certificate={tls.CertificatePath}", "--Listeners:Wss:Key=/nonexistent/server.key");

        AssertOneLine(exitCode, output, "Listeners:Wss:Key '/nonexistent/server.key' does not exist");
    }

    [Theory]
    [InlineData("mysql", "--Auth:MySql:Query=SELECT 1 WHERE ${password}", "Auth:MySql:Query: '${password}' is not a placeholder (${username}, ${clientid}, ${peerhost})")]
    [InlineData("redis", "--Auth:Redis:PasswordHash=md5", "Auth:Redis:PasswordHash must be one of plain, sha256, sha512, pbkdf2-sha256 (got 'md5')")]
    [InlineData("postgres", "--Auth:Postgres:TimeoutSeconds=0", "Auth:Postgres:TimeoutSeconds must be 1-60 (got 0)")]
    [InlineData("postgres", "--Auth:Postgres:ConnectionString=Hots=127.0.0.1", "Auth:Postgres:ConnectionString cannot be read: ")]
    [InlineData("mysql", "--Auth:MySql:ConnectionString=Hots=127.0.0.1", "Auth:MySql:ConnectionString cannot be read: ")]
    public async Task Bad_database_source_settings_name_the_key(string source, string argument, string expected)
    {
        var connection = source == "redis" ? "--Auth:Redis:ConnectionString=127.0.0.1:6379" : $"--Auth:{(source == "mysql" ? "MySql" : "Postgres")}:ConnectionString=Host=127.0.0.1";

        // The argument given last wins over the good connection string before it.
        var (exitCode, output) = await RunBrokerAsync("--Auth:Sources:0=" + source, connection, argument);

        AssertOneLine(exitCode, output, expected);
    }

    [Theory]
    [InlineData("--Listeners:Tls:ClientCertificate=maybe", "Listeners:Tls:ClientCertificate must be none, optional or require (got 'maybe')")]
    [InlineData("--Listeners:Tls:PeerCertAsUsername=email", "Listeners:Tls:PeerCertAsUsername must be none, cn, dn or san (got 'email')")]
    [InlineData("--Listeners:Tls:CaCertificate=/nonexistent/ca.crt", "Listeners:Tls:CaCertificate '/nonexistent/ca.crt' cannot be read")]
    public async Task Bad_client_certificate_settings_name_the_key(string argument, string expected)
    {
        using var tls = new TestCertificate();

        var (exitCode, output) = await RunBrokerAsync(
            $"--Listeners:Tls:Port={FreePorts.Next()}", $"--Listeners:Tls:Certificate={tls.CertificatePath}", $"--Listeners:Tls:Key={tls.KeyPath}", argument);

        AssertOneLine(exitCode, output, expected);
    }

    private static void AssertOneLine(int exitCode, string output, string expected)
    {
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(exitCode == 2, $"exit code {exitCode}, expected 2; output:\n{output}");
        Assert.True(lines.Length == 1, $"expected one line, got {lines.Length}:\n{output}");
        Assert.StartsWith("robustmq: bad configuration: ", lines[0], StringComparison.Ordinal);
        Assert.Contains(expected, lines[0], StringComparison.Ordinal);
    }

    private static async Task<(int ExitCode, string Output)> RunBrokerAsync(params string[] arguments)
    {
        await using var broker = BrokerExecutable.Start(arguments);
        var exitCode = await broker.WaitForExitAsync($"broker with {string.Join(' ', arguments)}: expected it to refuse to start");
        return (exitCode, broker.Log);
    }
}
