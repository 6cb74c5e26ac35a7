using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using MQTTnet;
using RobustMq.Integration.Tests.Infrastructure;

namespace RobustMq.Integration.Tests.Security;

/// <summary>
/// A broker whose chain is JWT, then HTTP (a real Kestrel endpoint started by the fixture on a free loopback port),
/// anonymous refused. The endpoint allows user <c>http-ok</c> with password <c>pw</c>, makes <c>http-root</c> a
/// superuser, answers 403 to <c>http-bad</c>, 500 to <c>http-500</c>, and takes 3 s for <c>http-slow</c> (the
/// source's timeout is 500 ms).
/// </summary>
public sealed class ExternalAuthBrokerFixture : BrokerFixture
{
    public const string JwtSecret = "integration-test-secret-32-bytes-long!";

    private WebApplication? _endpoint;
    private readonly int _endpointPort = FreePorts.Next();

    /// <summary>The bodies the endpoint was sent, by user name.</summary>
    public ConcurrentDictionary<string, JsonElement> Seen { get; } = new(StringComparer.Ordinal);

    protected override IEnumerable<string> ExtraArguments =>
    [
        "--Auth:AllowAnonymous=false", "--Auth:Sources:0=jwt", "--Auth:Sources:1=http",
        $"--Auth:Jwt:Secret={JwtSecret}", "--Auth:Jwt:Issuer=robustmq-tests",
        $"--Auth:Http:Url=http://127.0.0.1:{_endpointPort}/mqtt/auth", "--Auth:Http:TimeoutMs=500",
    ];

    public override async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{_endpointPort}");
        _endpoint = builder.Build();
        _endpoint.MapPost("/mqtt/auth", async (HttpContext http) =>
        {
            var body = await JsonSerializer.DeserializeAsync<JsonElement>(http.Request.Body);
            var user = body.GetProperty("username").GetString() ?? "";
            Seen[user] = body;
            switch (user)
            {
                case "http-ok" when body.GetProperty("password").GetString() == "pw":
                    return Results.Ok(new { result = "allow" });
                case "http-root":
                    return Results.Ok(new { result = "allow", is_superuser = true });
                case "http-500":
                    return Results.StatusCode(500);
                case "http-weird":
                    // A deny whose other field does not read as expected: still a deny.
                    return Results.Text("{\"result\":\"deny\",\"is_superuser\":\"false\"}", "application/json");
                case "http-html":
                    return Results.Text("<html>sign in</html>", "text/html");
                case "http-redirect":
                    return Results.Redirect("/login");
                case "http-slow":
                    await Task.Delay(3000);
                    return Results.Ok();
                default:
                    return Results.StatusCode(403);
            }
        });
        await _endpoint.StartAsync();
        await base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (_endpoint is not null)
        {
            await _endpoint.DisposeAsync();
        }
    }
}

/// <summary>The JWT and HTTP authentication sources (issue 13) with real clients: MQTTnet and mosquitto_pub.</summary>
[Trait("Topology", "SingleNode")]
public sealed class ExternalAuthTests(ExternalAuthBrokerFixture broker) : IClassFixture<ExternalAuthBrokerFixture>
{
    private async Task<MqttClientConnectResultCode> ConnectAsync(string clientId, string? user, string? password)
    {
        using var client = Mqtt.NewClient();
        var options = Mqtt.Options(broker, clientId);
        if (user is not null)
        {
            options.WithCredentials(user, password);
        }

        var result = await client.ConnectAsync(options.Build());
        if (client.IsConnected)
        {
            await client.DisconnectAsync();
        }

        return result.ResultCode;
    }

    private static string Token(string issuer = "robustmq-tests", string? clientId = null)
    {
        var claims = new Dictionary<string, object>();
        if (clientId is not null)
        {
            claims["clientid"] = clientId;
        }

        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(ExternalAuthBrokerFixture.JwtSecret)), SecurityAlgorithms.HmacSha256),
            Expires = DateTime.UtcNow.AddMinutes(5),
            Issuer = issuer,
            Claims = claims,
        });
    }

    [Fact]
    public async Task The_HTTP_service_decides_for_the_users_it_knows_and_is_sent_what_the_CONNECT_said()
    {
        Assert.Equal(MqttClientConnectResultCode.Success, await ConnectAsync("http-client-1", "http-ok", "pw"));
        var seen = broker.Seen["http-ok"];
        Assert.Equal("http-client-1", seen.GetProperty("clientid").GetString());
        Assert.Equal("pw", seen.GetProperty("password").GetString());
        Assert.Equal("127.0.0.1", seen.GetProperty("peerhost").GetString());
        Assert.Equal(5, seen.GetProperty("protocol").GetInt32());

        Assert.Equal(MqttClientConnectResultCode.BadUserNameOrPassword, await ConnectAsync("http-client-2", "http-ok", "wrong"));
        Assert.Equal(MqttClientConnectResultCode.BadUserNameOrPassword, await ConnectAsync("http-client-3", "http-bad", "pw"));
        Assert.Equal(MqttClientConnectResultCode.ServerUnavailable, await ConnectAsync("http-client-4", "http-500", "pw"));
        Assert.Equal(MqttClientConnectResultCode.ServerUnavailable, await ConnectAsync("http-client-5", "http-slow", "pw"));
        Assert.Equal(MqttClientConnectResultCode.Success, await ConnectAsync("http-client-6", "http-root", "pw"));
        Assert.Equal(MqttClientConnectResultCode.BadUserNameOrPassword, await ConnectAsync("http-client-7", "http-weird", "pw"));
        Assert.Equal(MqttClientConnectResultCode.BadUserNameOrPassword, await ConnectAsync("http-client-8", "http-html", "pw"));
        Assert.Equal(MqttClientConnectResultCode.ServerUnavailable, await ConnectAsync("http-client-9", "http-redirect", "pw"));
    }

    [Fact]
    public async Task A_valid_token_in_the_password_lets_the_client_in_and_a_bad_one_is_refused_without_asking_HTTP()
    {
        Assert.Equal(MqttClientConnectResultCode.Success, await ConnectAsync("jwt-client-1", "jwt-user", Token()));
        Assert.Equal(MqttClientConnectResultCode.Success, await ConnectAsync("jwt-client-2", "jwt-user", Token(clientId: "jwt-client-2")));
        Assert.Equal(MqttClientConnectResultCode.BadUserNameOrPassword, await ConnectAsync("jwt-client-3", "jwt-user", Token(clientId: "jwt-client-2")));
        Assert.Equal(MqttClientConnectResultCode.BadUserNameOrPassword, await ConnectAsync("jwt-client-4", "jwt-user-2", Token(issuer: "elsewhere")));
        Assert.False(broker.Seen.ContainsKey("jwt-user-2"), "a denied token ends the chain: HTTP is not asked");
    }

    [Fact]
    public async Task Mosquitto_pub_gets_in_with_a_token_as_its_password()
    {
        using var pub = CliProcess.Start("/usr/bin/mosquitto_pub",
            ["-h", "127.0.0.1", "-p", broker.MqttPort.ToString(CultureInfo.InvariantCulture), "-V", "mqttv311", "-i", "jwt-mosquitto",
             "-u", "device", "-P", Token(), "-t", "jwt/x", "-m", "hello"]);
        var code = await pub.WaitForExitAsync("mosquitto_pub with a JWT");
        Assert.True(code == 0, $"mosquitto_pub exited with {code}: {pub.Describe()}");
    }
}
